// The app and the CLI writing to one library at once: the app's worker ingests a folder dropped on
// the window and the window creates chats, while `hearth` adds another folder and creates chats
// of its own. Nothing is lost on either side, and each sees the other's work.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { after, before, test } from "node:test";
import { CLI, startDriver } from "./driver.mjs";
import { longText, windowHelpers } from "./window.mjs";

const run = promisify(execFile);
const root = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-e2e-writers-"));
const dataDir = path.join(root, "library");
let driver;
let browser;
const { ok } = windowHelpers(() => browser);

const cli = (...args) => run(CLI, args, { env: { ...process.env, HEARTH_DATA_DIR: dataDir } });

function folder(name, count) {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  for (let i = 0; i < count; i++) fs.writeFileSync(path.join(dir, `${name}-${i}.txt`), `${name} ${i}. ${longText(300 + 40 * i)}`);
  return dir;
}

before(async () => {
  driver = await startDriver({ HEARTH_DATA_DIR: dataDir });
  browser = await driver.launch();
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  await driver?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

test("the app and the CLI write to one library at the same time and lose nothing", async () => {
  await (await browser.$("nav.sidebar")).waitForDisplayed({ timeout: 20_000 });
  const byApp = folder("window", 8);
  const byCli = folder("terminal", 8);

  // Both at once: the window's drop and chats, the CLI's folder and chats.
  const cliWork = (async () => {
    const added = cli("docs", "add", byCli);
    for (let i = 0; i < 8; i++) await cli("sessions", "create", "--name", `terminal chat ${i}`);
    return added;
  })();
  await ok("add_documents", { paths: [byApp] });
  for (let i = 0; i < 8; i++) await ok("create_session", { request: { name: `window chat ${i}` } });
  await cliWork;

  // The app's worker finishes its folder; the CLI finished its own.
  let documents = [];
  await browser.waitUntil(
    async () => {
      documents = (await ok("list_documents", { limit: 100, offset: 0 })).items;
      return documents.length === 16 && documents.every((d) => d.status === "ready");
    },
    { timeout: 180_000, interval: 1_000, timeoutMsg: `not every document is ready: ${JSON.stringify(documents.map((d) => [d.name, d.status]))}` },
  );
  const names = documents.map((d) => d.name).sort();
  assert.deepEqual(names, [...[...Array(8).keys()].map((i) => `terminal-${i}.txt`), ...[...Array(8).keys()].map((i) => `window-${i}.txt`)].sort());

  // Each sees the other's chats and documents.
  const inWindow = (await ok("list_sessions", { limit: 50, offset: 0 })).items.map((s) => s.name);
  assert.equal(inWindow.filter((n) => n.startsWith("terminal chat")).length, 8);
  assert.equal(inWindow.filter((n) => n.startsWith("window chat")).length, 8);
  const { stdout: sessions } = await cli("sessions", "list", "--json", "--limit", "50");
  assert.equal(JSON.parse(sessions).total, 16);
  const { stdout: docs } = await cli("docs", "list", "--json", "--limit", "50");
  assert.equal(JSON.parse(docs).items.filter((d) => d.status === "ready").length, 16);
  // And search finds a document either one added.
  const hits = await ok("search", { request: { query: "terminal 3", k: 5, mode: "keyword" } });
  assert.ok(hits.some((h) => h.document_name === "terminal-3.txt"), JSON.stringify(hits.map((h) => h.document_name)));
});
