// A damaged database at start: the window says so instead of using it, offers the newest
// automatic backup that passes its check or an empty library, and keeps the damaged file aside.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { CLI, startDriver } from "./driver.mjs";
import { windowHelpers } from "./window.mjs";

const shots = process.env.HEARTH_SCREENSHOTS;
const root = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-e2e-recovery-"));
const dataDir = path.join(root, "library");
let driver;
let browser;
const { ok } = windowHelpers(() => browser);

const cli = (...args) => execFileSync(CLI, args, { env: { ...process.env, HEARTH_DATA_DIR: dataDir } }).toString();

/** Overwrites the headers of pages 2 to 8: damage SQLite's check finds (it keeps no checksums). */
function damage(file) {
  const fd = fs.openSync(file, "r+");
  for (let page = 1; page < 8; page++) fs.writeSync(fd, Buffer.alloc(16, 0xa5), 0, 16, page * 4096);
  fs.closeSync(fd);
}

const aside = () => fs.readdirSync(dataDir).filter((f) => f.startsWith("hearth.db.damaged-"));

before(async () => {
  // Two chats in the backup, one more after it; long messages give the file pages to damage.
  for (const name of ["Beekeeping", "Sourdough"]) {
    const id = cli("sessions", "create", "--name", name, "--json").match(/"id": "([^"]+)"/)[1];
    cli("messages", "add", id, "a question about " + name.toLowerCase() + " ".repeat(1) + "and its long details ".repeat(300));
  }
  fs.mkdirSync(path.join(dataDir, "backups"), { recursive: true });
  cli("backup", path.join(dataDir, "backups", "hearth-2026-11-29T08-00-00Z.db"));
  cli("sessions", "create", "--name", "Written after the backup");
  damage(path.join(dataDir, "hearth.db"));
  driver = await startDriver({ HEARTH_DATA_DIR: dataDir });
  browser = await driver.launch();
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  await driver?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

test("a damaged database is refused at start and the newest good backup restores it", async () => {
  const screen = await browser.$('[data-testid="recovery"]');
  await screen.waitForDisplayed({ timeout: 20_000, timeoutMsg: "no recovery screen for a damaged database" });
  assert.match(await (await browser.$("h1")).getText(), /database file is damaged/);
  assert.match(await (await browser.$('[data-testid="recovery-detail"]')).getProperty("textContent"), /hearth\.db is damaged/);
  const offered = await browser.$$('[data-testid="recovery-backup"]');
  assert.equal(offered.length, 1);
  assert.match(await offered[0].getText(), /2 chats, 2 messages, 0 documents/);
  assert.ok(!(await browser.$('nav.sidebar').isExisting()), "the app does not run on the damaged file");
  if (shots) await browser.saveScreenshot(path.join(shots, "recovery.png"));

  await (await browser.$('[data-testid="recovery-restore"]')).click();
  // The window starts again on the restored library: the backup's chats, not the later one.
  const rows = await browser.$$('[data-testid="session-row"]');
  await browser.waitUntil(async () => (await browser.$$('[data-testid="session-row"]')).length === 2, {
    timeout: 20_000,
    timeoutMsg: `the restored chats are not listed (${rows.length})`,
  });
  const names = (await ok("list_sessions", { limit: 50, offset: 0 })).items.map((s) => s.name).sort();
  assert.deepEqual(names, ["Beekeeping", "Sourdough"]);
  assert.equal(aside().length, 1, "the damaged file is kept aside");
  // The library works: a new chat is saved.
  await ok("create_session", { request: { name: "After recovery" } });
  if (shots) await browser.saveScreenshot(path.join(shots, "recovered.png"));
});

test("or it is set aside for an empty library, after a confirmation", async () => {
  await browser.deleteSession();
  damage(path.join(dataDir, "hearth.db"));
  browser = await driver.launch();
  await (await browser.$('[data-testid="recovery"]')).waitForDisplayed({ timeout: 20_000 });
  await (await browser.$('[data-testid="recovery-fresh"]')).click();
  // Cancel first: nothing happens.
  await (await browser.$('[data-testid="confirm-cancel"]')).click();
  assert.ok(await (await browser.$('[data-testid="recovery"]')).isDisplayed());
  assert.equal(aside().length, 1);
  await (await browser.$('[data-testid="recovery-fresh"]')).click();
  await (await browser.$('[data-testid="confirm-ok"]')).click();
  await (await browser.$("nav.sidebar")).waitForDisplayed({ timeout: 20_000, timeoutMsg: "the app did not start on an empty library" });
  assert.equal((await ok("list_sessions", { limit: 50, offset: 0 })).total, 0, "an empty library");
  assert.equal(aside().length, 2, "both damaged files are kept");
});
