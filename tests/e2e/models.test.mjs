// Which model answers, as a person sets it up. First a model run in the app itself: Settings →
// "A GGUF model file" → a file that is not a model is refused in words, the tiny SmolLM2 model's
// header is shown, Save; then a question is answered by the model in the window, and the inspector
// says how (model file, quantization, context, time to first token, tokens/s). Then a server found
// on its preset's port (a small fake Jan on 127.0.0.1:1337): a chat switches to its model from the
// header, a chat without a model is offered it, and one click makes it the default.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
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

/** A fake Jan server on its preset's port: it lists one model and streams a fixed answer. */
const JAN_PORT = 1337;
const JAN_MODEL = "fake-jan-model";
const janRequests = [];
const jan = http.createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    if (req.url === "/v1/models") {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ object: "list", data: [{ id: JAN_MODEL }] }));
    } else if (req.url === "/v1/chat/completions") {
      janRequests.push(JSON.parse(body));
      res.writeHead(200, { "Content-Type": "text/event-stream" });
      for (const piece of ["Hello ", "from ", "Jan."]) res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: piece } }] })}\n\n`);
      res.end("data: [DONE]\n\n");
    } else {
      res.writeHead(404).end();
    }
  });
});

/** Waits until the chat `id` has `count` messages (the CLI reads the database: no WebDriver
 * calls while an answer streams). */
async function messagesOf(id, count, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  let stored = [];
  while (Date.now() < deadline) {
    stored = cli("messages", "list", id);
    if (stored.length === count) return stored;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.fail(`chat ${id} never had ${count} messages: ${JSON.stringify(stored)}`);
}

/** The open chat's model, as its header's picker shows it. */
const pickedModel = () =>
  browser.execute(() => {
    const select = document.querySelector('[data-testid="chat-model"]');
    return { value: select.value, text: select.selectedOptions[0]?.textContent.trim() };
  });

/** Picks `value` in the <select> with test id `id`, as a person does. */
async function pick(id, value) {
  await (await $t(id)).waitForDisplayed();
  await (await $t(id)).selectByAttribute("value", value);
}

before(async () => {
  await new Promise((resolve, reject) => jan.once("error", reject).listen(JAN_PORT, "127.0.0.1", resolve));
  driver = await startDriver({ HEARTH_DATA_DIR: dataDir });
  browser = await driver.launch();
});

after(async () => {
  jan.close();
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
  // WebKit under Xvfb can hand back the frame before the last repaint: let it settle.
  if (shots) await browser.pause(500).then(() => browser.saveScreenshot(path.join(shots, "settings-local-model.png")));
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
  const header = await pickedModel();
  assert.equal(header.value, model, "the chat's model is the file chosen");
  assert.match(header.text, /SmolLM2/, "the header names the model that answers");
  await (await $t("inspect")).click();
  const generation = await $t("inspector-generation");
  await generation.waitForDisplayed();
  assert.match(
    (await generation.getProperty("textContent")).replace(/\s+/g, " "),
    /SmolLM2-135M-Instruct\.Q4_1\.gguf · Q4_1 · context 4096 · first token [\d.]+ ms · [\d.]+ tokens\/s/,
  );
  if (shots) await browser.saveScreenshot(path.join(shots, "local-model.png"));
});

test("a chat switches to a server's model from its header, and a chat without a model is offered one", async () => {
  const janChoice = `http://127.0.0.1:${JAN_PORT}/v1#${JAN_MODEL}`;
  // The app looked for servers when it started (the fake Jan was already listening).
  await (await $t("new-session")).click();
  await (await $t("chat-model")).waitForDisplayed();
  const chat = cli("sessions", "list").items[0];
  assert.equal(chat.llm_model_name, "SmolLM2-135M-Instruct.Q4_1", "a new chat uses the default model");
  await pick("chat-model", janChoice);
  await browser.waitUntil(async () => cli("sessions", "show", chat.id).llm_model_name === JAN_MODEL, {
    timeout: 5_000,
    timeoutMsg: "the chat never switched to the server's model",
  });
  assert.equal(cli("sessions", "show", chat.id).model, janChoice);
  if (shots) await browser.saveScreenshot(path.join(shots, "chat-model-picker.png"));

  const composer = await $t("composer-input");
  await composer.click();
  await composer.addValue("Who is there?");
  await browser.keys("Enter");
  const stored = await messagesOf(chat.id, 2, 20_000);
  assert.equal(stored[1].content, "Hello from Jan.");
  assert.equal(stored[1].metadata.backend, "openai-compatible");
  assert.equal(janRequests.at(-1).model, JAN_MODEL, "the chat's model is what the server is asked for");
  const first = cli("sessions", "list").items.find((s) => s.id !== chat.id);
  assert.equal(first.llm_model_name, "SmolLM2-135M-Instruct.Q4_1", "the other chat keeps its model");

  // A chat without a model, before its first question, offers what was found: Jan is running.
  await pick("chat-model", "extractive");
  await browser.waitUntil(async () => cli("sessions", "show", chat.id).model === "extractive", { timeout: 5_000 });
  await (await $t("new-session")).click();
  const fresh = async () => cli("sessions", "list").items[0];
  await browser.waitUntil(async () => (await fresh()).id !== chat.id, { timeout: 5_000 });
  await pick("chat-model", "extractive");
  const suggestions = await $t("model-suggestions");
  await suggestions.waitForDisplayed({ timeout: 5_000 });
  assert.match(await suggestions.getProperty("textContent"), /Jan\s+is running — pick a model/);
  if (shots) await browser.saveScreenshot(path.join(shots, "model-suggestions.png"));
  await pick("suggestion-server-model", JAN_MODEL);
  await browser.waitUntil(async () => (await fresh()).llm_model_name === JAN_MODEL, {
    timeout: 5_000,
    timeoutMsg: "one click never made Jan's model the chat's",
  });
  await suggestions.waitForDisplayed({ reverse: true, timeout: 5_000 });
  const llm = cli("settings", "show").llm;
  assert.deepEqual([llm.backend, llm.base_url], ["openai-compatible", `http://127.0.0.1:${JAN_PORT}/v1`], "and new chats use it");
  assert.equal(cli("sessions", "create").llm_model_name, JAN_MODEL);

  // Settings list the servers found, and the models section says what runs.
  await (await $t("open-settings")).click();
  await (await $t("settings-dialog")).waitForDisplayed();
  await browser.waitUntil(async () => (await browser.$$('[data-testid="found-server"]')).length === 5, {
    timeout: 5_000,
    timeoutMsg: "the servers found are never listed",
  });
  const servers = await browser.execute(() =>
    Array.from(document.querySelectorAll('[data-testid="found-server"]'), (el) => el.textContent.replace(/\s+/g, " ").trim()),
  );
  assert.ok(servers.some((s) => /^Jan http:\/\/127\.0\.0\.1:1337\/v1 running · 1 model\b/.test(s)), JSON.stringify(servers));
  assert.ok(servers.some((s) => /Ollama .* nothing answers at 127\.0\.0\.1:11434 — is Ollama running\?/.test(s)), JSON.stringify(servers));
  if (shots) await browser.saveScreenshot(path.join(shots, "settings-models.png"));
  await browser.keys("Escape");
});
