// The foundation journey, as a person does it in the real window: create a chat, rename it, send
// two messages, quit, relaunch on the same data, find everything in order, delete the chat.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { CLI, startDriver } from "./driver.mjs";

const shots = process.env.HEARTH_SCREENSHOTS;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-e2e-"));
let driver;
let browser;

const $t = (id) => browser.$(`[data-testid="${id}"]`);

/** The texts of every element with `data-testid=id`, read in one in-page call: a re-render
 * between finding elements and reading them cannot leave a stale reference. (innerText read in
 * the page, not getText(): WebKitWebDriver's visible-text atom returns "" here.) */
function texts(id) {
  return browser.execute(
    (sel) => Array.from(document.querySelectorAll(sel), (el) => (el.innerText ?? el.textContent ?? "").trim()),
    `[data-testid="${id}"]`,
  );
}

/** The answer with no model connected, in a chat without documents, starts like this. */
const ANSWER = "No language model is connected";

/** Waits until the messages are `expected`, where `ANSWER` stands for any such answer. */
async function waitForMessages(expected) {
  const matches = (actual) =>
    actual.length === expected.length && actual.every((t, i) => (expected[i] === ANSWER ? t.startsWith(ANSWER) : t === expected[i]));
  await browser.waitUntil(async () => matches(await texts("message-content")), {
    timeout: 10_000,
    timeoutMsg: `messages never became ${JSON.stringify(expected)}; they are ${JSON.stringify(await texts("message-content"))}`,
  });
}

async function waitForTexts(id, expected) {
  await browser.waitUntil(async () => JSON.stringify(await texts(id)) === JSON.stringify(expected), {
    timeout: 10_000,
    timeoutMsg: `${id} never became ${JSON.stringify(expected)}; it is ${JSON.stringify(await texts(id))}`,
  });
}

function cli(...args) {
  return JSON.parse(execFileSync(CLI, [...args, "--json"], { env: { ...process.env, HEARTH_DATA_DIR: dataDir } }));
}

async function shot(name) {
  if (shots) await browser.saveScreenshot(path.join(shots, `${name}.png`));
}

before(async () => {
  driver = await startDriver({ HEARTH_DATA_DIR: dataDir });
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  await driver?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test("create, rename, chat, relaunch, and delete a session in the window", async () => {
  browser = await driver.launch();
  await (await $t("new-session")).waitForClickable({ timeout: 15_000 });
  await waitForTexts("session-name", []);

  await (await $t("new-session")).click();
  await waitForTexts("session-name", ["New chat"]);
  await browser.waitUntil(async () => (await (await $t("chat-title")).getProperty("textContent")) === "New chat");

  await (await $t("rename-session")).click();
  const rename = await $t("rename-input");
  await rename.waitForDisplayed();
  // The current name starts focused and selected, so typing replaces it. (Element Clear would
  // blur the field, and WebKitWebDriver's key actions drop doubled letters: send keys instead.)
  await browser.waitUntil(() =>
    browser.execute(() => {
      const el = document.activeElement;
      return el instanceof HTMLInputElement && el.selectionStart === 0 && el.selectionEnd === el.value.length;
    }),
  );
  await rename.addValue("Trip planning");
  await browser.keys("Enter");
  await waitForTexts("session-name", ["Trip planning"]);

  const composer = await $t("composer-input");
  await composer.click();
  await composer.addValue("Where should we stay in Lisbon?");
  await browser.keys("Enter");
  await waitForMessages(["Where should we stay in Lisbon?", ANSWER]);
  await composer.addValue("Near Alfama, ideally");
  await browser.keys(["Shift", "Enter"]);
  await composer.addValue("with a view.");
  await browser.keys("Enter");
  await waitForMessages(["Where should we stay in Lisbon?", ANSWER, "Near Alfama, ideally\nwith a view.", ANSWER]);

  // A chat is found by what was said in it, not only by its name: the words around the match show.
  const search = await $t("session-filter");
  await search.addValue("alfama vie");
  await waitForTexts("session-name", ["Trip planning"]);
  const found = await $t("session-found");
  await found.waitForDisplayed({ timeout: 5_000 });
  assert.match(await found.getProperty("textContent"), /Near Alfama, ideally with a view/);
  await shot("search-chats");
  await search.clearValue();
  await browser.execute((el) => el.dispatchEvent(new Event("input", { bubbles: true })), search);
  await waitForTexts("session-name", ["Trip planning"]);
  await browser.waitUntil(async () => !(await (await $t("session-found")).isExisting()), { timeout: 5_000 });
  // The chat list hides (a button, or Ctrl+B) to give a small window to the conversation, and
  // comes back; the choice is remembered.
  await (await $t("hide-sidebar")).click();
  await (await $t("show-sidebar")).waitForDisplayed();
  assert.equal(await (await $t("session-list")).isExisting(), false);
  const small = await browser.getWindowSize();
  await browser.setWindowSize(800, 600);
  await browser.pause(400);
  await shot("small-window");
  await browser.setWindowSize(small.width, small.height);
  await browser.keys(["Control", "b"]);
  await waitForTexts("session-name", ["Trip planning"]);
  await browser.keys(["Control", "b"]);
  await (await $t("show-sidebar")).waitForDisplayed();
  await (await $t("show-sidebar")).click();
  await waitForTexts("session-name", ["Trip planning"]);
  // Every dialog has a visible close button, and closing gives the focus back to what opened it.
  // In Settings, Save stays in view however long the form is, and a theme shows before Save:
  // closing without saving puts the saved one back.
  const theme = () => browser.execute(() => document.documentElement.dataset.theme);
  const savedTheme = await theme();
  await (await $t("open-settings")).click();
  const close = await $t("dialog-close");
  await close.waitForDisplayed();
  const save = await $t("settings-save");
  await save.waitForDisplayed();
  await shot("settings-open");
  const inView = await browser.execute((el) => {
    const r = el.getBoundingClientRect();
    const box = el.closest('[data-testid="settings-dialog"]').getBoundingClientRect();
    return r.top >= box.top && r.bottom <= box.bottom && r.bottom <= window.innerHeight;
  }, save);
  assert.equal(inView, true, "Save is in view");
  const other = savedTheme === "dark" ? "light" : "dark";
  const themeSelect = await $t("settings-theme");
  // Scrolled to the middle, as a person would, not under the Save bar.
  await browser.execute((el) => el.scrollIntoView({ block: "center" }), themeSelect);
  await themeSelect.selectByAttribute("value", other);
  await browser.waitUntil(async () => (await theme()) === other, { timeout: 5_000, timeoutMsg: "the theme is not previewed" });
  await close.click();
  await (await $t("settings-dialog")).waitForExist({ reverse: true });
  assert.equal(await browser.execute(() => document.activeElement?.dataset.testid), "open-settings");
  assert.equal(await theme(), savedTheme, "an unsaved theme is undone");
  const fromCli = cli("sessions", "list", "--search", "stay lisbon");
  assert.equal(fromCli.total, 1);
  assert.match(fromCli.found[0], /stay in Lisbon/);
  assert.equal(cli("sessions", "list", "--search", "lisbon porto").total, 0);
  assert.equal(await composer.getValue(), "", "the composer is cleared after sending");
  await shot("chat");

  // The window wrote to the same database the CLI reads.
  const listed = cli("sessions", "list");
  assert.equal(listed.total, 1);
  assert.equal(listed.items[0].name, "Trip planning");
  const id = listed.items[0].id;
  const stored = cli("messages", "list", id);
  assert.deepEqual(
    stored.map((m) => m.role),
    ["user", "assistant", "user", "assistant"],
  );
  assert.equal(stored[2].content, "Near Alfama, ideally\nwith a view.");
  assert.equal(stored[1].metadata.retrieval.skipped, "no document in the library is ready");

  // Quit and relaunch on the same data directory.
  await browser.deleteSession();
  browser = await driver.launch();
  await waitForTexts("session-name", ["Trip planning"]);
  await (await $t("session-name")).click();
  await waitForMessages(["Where should we stay in Lisbon?", ANSWER, "Near Alfama, ideally\nwith a view.", ANSWER]);

  // Delete asks first; Cancel keeps the session.
  await (await $t("delete-session")).click();
  await (await $t("confirm-dialog")).waitForDisplayed();
  await shot("confirm-delete");
  await (await $t("confirm-cancel")).click();
  await waitForTexts("session-name", ["Trip planning"]);

  await (await $t("delete-session")).click();
  await (await $t("confirm-ok")).click();
  await waitForTexts("session-name", []);
  assert.equal(cli("sessions", "list").total, 0);
  assert.equal(cli("doctor").database.messages, 0, "the session's messages went with it");
});

test("bad input shows a clear error and loses nothing", async () => {
  browser ??= await driver.launch();
  await (await $t("new-session")).click();
  const composer = await $t("composer-input");
  await composer.waitForDisplayed();
  const send = await $t("send");
  await composer.addValue("   ");
  assert.equal(await send.isEnabled(), false, "whitespace cannot be sent");

  // A command called with a malformed id answers with a code the UI can branch on.
  const call = (command, args) =>
    browser.executeAsync(
      (command, args, done) => window.__TAURI_INTERNALS__.invoke(command, args).then(() => done(null), (e) => done(e)),
      command,
      args,
    );
  const err = await call("get_session", { id: "not-a-uuid" });
  assert.equal(err.code, "INVALID_INPUT");
  assert.match(err.message, /not a valid id/);
  // A command the window's capability does not grant is refused before it runs.
  const refused = await call("add_message", { sessionId: "not-a-uuid", request: { content: "x" } });
  assert.match(String(refused), /not allowed/);

  // Filtering the chats by name: nothing matches, then everything again.
  const filter = await $t("session-filter");
  await filter.addValue("xyq");
  await (await $t("no-match")).waitForDisplayed({ timeout: 5_000 });
  await waitForTexts("session-name", []);
  await browser.execute((el) => {
    el.value = "";
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }, filter);
  await waitForTexts("session-name", ["New chat"]);
});
