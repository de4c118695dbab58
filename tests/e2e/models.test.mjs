// A model run in the app itself, as a person sets it up: Settings → "A GGUF model file" → a file
// that is not a model is refused in words, the tiny SmolLM2 model's header is shown, Save; then a
// question is answered by the model in the window, and the inspector says how (model file,
// quantization, context, time to first token, tokens/s).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { CLI, startDriver } from "./driver.mjs";
import { windowHelpers } from "./window.mjs";

const shots = process.env.HEARTH_SCREENSHOTS;
const here = path.dirname(fileURLToPath(import.meta.url));
const model = path.resolve(here, "../../models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-e2e-models-"));
let driver;
let browser;
const { setValue } = windowHelpers(() => browser);
const $t = (id) => browser.$(`[data-testid="${id}"]`);

function cli(...args) {
  return JSON.parse(execFileSync(CLI, [...args, "--json"], { env: { ...process.env, HEARTH_DATA_DIR: dataDir } }));
}

before(async () => {
  driver = await startDriver({ HEARTH_DATA_DIR: dataDir });
  browser = await driver.launch();
});

after(async () => {
  await browser?.deleteSession();
  await driver?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test("a GGUF model chosen in Settings answers in the window, and the inspector says how", async () => {
  assert.ok(fs.existsSync(model), "the tiny chat model is provisioned (scripts/fetch_model.py)");
  // Short answers keep the journey quick; the budget is a setting like any other.
  cli("settings", "chat", "--answer-tokens", "48");

  await (await $t("open-settings")).click();
  await (await $t("settings-dialog")).waitForDisplayed();
  await (await $t("settings-backend")).selectByAttribute("value", "local");
  await (await $t("settings-model-path")).waitForDisplayed();
  const notes = path.join(dataDir, "notes.gguf");
  fs.writeFileSync(notes, "some notes, renamed");
  const choose = async (file) => {
    await setValue('[data-testid="settings-model-path"]', file);
    await browser.execute(() =>
      document.querySelector('[data-testid="settings-model-path"]').dispatchEvent(new Event("change", { bubbles: true })),
    );
  };
  await choose(notes);
  const error = await $t("settings-model-error");
  await error.waitForDisplayed({ timeout: 5_000 });
  assert.match(await error.getProperty("textContent"), /not a GGUF model file/);

  await choose(model);
  const info = await $t("settings-model-info");
  await info.waitForDisplayed({ timeout: 5_000 });
  assert.match(await info.getProperty("textContent"), /SmolLM2-135M-Instruct\.Q4_1\.gguf · 135M parameters · Q4_1 · trained on\s+8192 tokens/);
  if (shots) await browser.saveScreenshot(path.join(shots, "settings-local-model.png"));
  await (await $t("settings-save")).click();
  await (await $t("settings-saved")).waitForDisplayed({ timeout: 5_000 });
  await browser.keys("Escape");
  await (await $t("settings-dialog")).waitForDisplayed({ reverse: true });
  assert.equal(cli("settings", "show").llm.backend, "local");

  await (await $t("new-session")).click();
  const composer = await $t("composer-input");
  await composer.waitForDisplayed();
  await composer.click();
  await composer.addValue("What is the capital of France?");
  await browser.keys("Enter");
  // No WebDriver calls while the answer streams (WebKitWebDriver's script calls make the webview
  // drop Tauri's channel messages; see documents.test.mjs): the CLI watches the database instead.
  const deadline = Date.now() + 60_000;
  let stored = [];
  while (Date.now() < deadline) {
    const session = cli("sessions", "list").items[0];
    stored = session ? cli("messages", "list", session.id) : [];
    if (stored.length === 2) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.equal(stored.length, 2, "the model answered");
  const record = stored[1].metadata;
  assert.equal(record.backend, "local");
  assert.equal(record.generation.model_file, "SmolLM2-135M-Instruct.Q4_1.gguf");
  assert.ok(record.generation.answer_tokens > 0 && record.generation.answer_tokens <= 48, JSON.stringify(record.generation));
  assert.match(record.prompt.counted_by, /chat model's own tokenizer/);

  await browser.waitUntil(
    async () =>
      (await browser.execute(() => {
        const all = document.querySelectorAll('[data-testid="message-content"]');
        return all.length === 2 && document.querySelector('[data-testid="streaming-answer"]') === null;
      })) === true,
    { timeout: 10_000, timeoutMsg: "the answer never settled in the window" },
  );
  const shown = await browser.execute(() => {
    const all = document.querySelectorAll('[data-testid="message-content"]');
    return all[1].innerText.trim();
  });
  // The window shows the stored answer (rendered as Markdown: compare its plain words).
  const words = stored[1].content.split(/\s+/).filter((w) => /^[A-Za-z]{3,}$/.test(w)).slice(0, 5);
  assert.ok(words.length > 0, `an answer in words: ${stored[1].content}`);
  for (const word of words) assert.ok(shown.includes(word), `${word} in ${shown}`);
  const header = await browser.execute(() => document.querySelector(".model")?.textContent ?? "");
  assert.equal(header, "model: SmolLM2-135M-Instruct.Q4_1", "the chat names the model that answers");
  await (await $t("inspect")).click();
  const generation = await $t("inspector-generation");
  await generation.waitForDisplayed();
  assert.match(
    (await generation.getProperty("textContent")).replace(/\s+/g, " "),
    /SmolLM2-135M-Instruct\.Q4_1\.gguf · Q4_1 · context 4096 · first token [\d.]+ ms · [\d.]+ tokens\/s/,
  );
  if (shots) await browser.saveScreenshot(path.join(shots, "local-model.png"));
});
