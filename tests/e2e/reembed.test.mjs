// A new embedding model in the real app: the library is embedded again in the background, the
// window says how far, search keeps answering, and afterwards the new model's vectors are all
// there. The two models are the provisioned weights under two names (two model ids).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { CLI, startDriver } from "./driver.mjs";
import { longText, windowHelpers } from "./window.mjs";

const shots = process.env.HEARTH_SCREENSHOTS;
const here = path.dirname(fileURLToPath(import.meta.url));
const provisioned = process.env.HEARTH_MODEL_DIR ?? path.resolve(here, "../../models/all-minilm-l6-v2");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-e2e-reembed-"));
const dataDir = path.join(root, "library");
let driver;
let browser;
const { ok } = windowHelpers(() => browser);

/** The provisioned model's files linked into a directory of their own, under another name. */
function renamedModel(name) {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  for (const file of fs.readdirSync(provisioned)) fs.symlinkSync(path.join(provisioned, file), path.join(dir, file));
  fs.writeFileSync(path.join(dir, "hearth-model.json"), JSON.stringify({ name }));
  return dir;
}

const cli = (model, ...args) =>
  execFileSync(CLI, args, { env: { ...process.env, HEARTH_DATA_DIR: dataDir, HEARTH_MODEL_DIR: model } }).toString();

before(async () => {
  const first = renamedModel("first");
  const second = renamedModel("second");
  const docs = path.join(root, "docs");
  fs.mkdirSync(docs);
  for (let i = 0; i < 16; i++) fs.writeFileSync(path.join(docs, `log-${i}.txt`), `Logbook ${i}. ${longText(500 + i)}`);
  cli(first, "docs", "add", docs);
  driver = await startDriver({ HEARTH_DATA_DIR: dataDir, HEARTH_MODEL_DIR: second });
  browser = await driver.launch();
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  await driver?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

test("a new embedding model: the library is embedded again in the background while search answers", async () => {
  const notice = await browser.$('[data-testid="reembedding"]');
  await notice.waitForDisplayed({ timeout: 30_000, timeoutMsg: "no progress shown for the new model" });
  assert.match(await notice.getProperty("textContent"), /Updating search for a new embedding model: \d+ %\s+\(\d+ of \d+ passages\)/);
  if (shots) await browser.saveScreenshot(path.join(shots, "reembedding.png"));
  // Meanwhile search answers, by meaning too (the previous model embeds the query).
  const hits = await ok("search", { request: { query: "Logbook 7 lantern harbour", k: 3, mode: "vector" } });
  assert.ok(hits.length > 0, "search answered during the re-embedding");
  await notice.waitForExist({ reverse: true, timeout: 180_000, timeoutMsg: "the re-embedding did not finish" });
  // Afterwards nothing is left to do: every passage has the new model's vector.
  assert.match(cli(path.join(root, "second"), "index", "reembed"), /already has the current model's vector/);
  const after = await ok("search", { request: { query: "Logbook 7 lantern harbour", k: 3, mode: "vector" } });
  assert.ok(after.length > 0);
});
