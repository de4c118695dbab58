// The window for daily use, in the real window on a fresh library: a new chat searches the whole
// library, a collection limits it, a twenty-file drop leaves the conversation in view at 900×600
// with one line of progress, a citation opens and the composer is back in a few key presses, and
// axe-core finds no contrast, name or label problem on any screen in either theme.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { CLI, startDriver } from "./driver.mjs";
import { answerFileDialog, answerFolderDialog, answerSaveDialog, longText, windowHelpers } from "./window.mjs";

const shots = process.env.HEARTH_SCREENSHOTS;
const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.resolve(here, "../fixtures");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-e2e-daily-"));
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
let driver;
let browser;
const { setValue, drag, chips } = windowHelpers(() => browser);
const $t = (id) => browser.$(`[data-testid="${id}"]`);
const shot = async (name) => {
  if (!shots) return;
  await browser.pause(300);
  await browser.saveScreenshot(path.join(shots, `${name}.png`));
};

before(async () => {
  // The library exists before the window opens, as it does on a person's second day.
  const files = ["beekeeping.pdf", "tides.docx", "volcanoes.html", "lighthouses.md", "sourdough.txt"];
  execFileSync(CLI, ["docs", "add", ...files.map((f) => path.join(fixtures, f))], {
    env: { ...process.env, HEARTH_DATA_DIR: dataDir },
  });
  driver = await startDriver({ HEARTH_DATA_DIR: dataDir });
  browser = await driver.launch();
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  await driver?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Asks in the open chat and waits for the new answer; resolves to its sources. */
async function ask(question) {
  const answers = () => browser.execute(() => document.querySelectorAll('[data-testid="message"][data-role="assistant"]').length);
  const before = await answers();
  const composer = await $t("composer-input");
  await composer.waitForDisplayed();
  await composer.click();
  await composer.addValue(question);
  await browser.keys("Enter");
  await browser.waitUntil(async () => (await answers()) > before, { timeout: 30_000, timeoutMsg: "no answer" });
  return browser.execute(() =>
    Array.from(
      Array.from(document.querySelectorAll('[data-testid="message"][data-role="assistant"]')).at(-1).querySelectorAll('[data-testid="source"]'),
      (s) => s.textContent.trim(),
    ),
  );
}

const scopeText = async () => (await $t("chat-scope-text")).getProperty("textContent");

test("a new chat answers from the whole library with nothing attached, and a collection limits it", async () => {
  await (await $t("new-session")).click();
  await browser.waitUntil(async () => (await scopeText()) === "All 5 documents", {
    timeout: 10_000,
    timeoutMsg: `the header says: ${await scopeText()}`,
  });
  assert.equal(await (await $t("documents-toggle")).isExisting(), false, "nothing is attached");
  assert.equal((await ask("When should beekeepers treat for Varroa mites?"))[0], "[1] beekeeping.pdf, page 3");

  // A collection is made in the library from selected documents.
  await (await $t("open-library")).click();
  const rows = async () =>
    browser.execute(() =>
      Array.from(document.querySelectorAll('[data-testid="library-row"]'), (r) => r.querySelector("button.link").textContent),
    );
  await browser.waitUntil(async () => (await rows()).length === 5);
  for (const name of ["tides.docx", "lighthouses.md"]) {
    const index = (await rows()).indexOf(name);
    await (await browser.$$('[data-testid="library-select"]'))[index].click();
  }
  await (await $t("collection-name")).addValue("Coast");
  await (await $t("collection-add")).click();
  await browser.waitUntil(async () => JSON.stringify((await rows()).sort()) === JSON.stringify(["lighthouses.md", "tides.docx"]), {
    timeout: 5_000,
    timeoutMsg: `the library shows: ${JSON.stringify(await rows())}`,
  });
  assert.match(await (await $t("library-collection")).getValue(), /^[0-9a-f-]{36}$/, "the new collection is shown");
  await shot("collection");
  await browser.keys("Escape");
  await (await $t("library")).waitForExist({ reverse: true });

  // The chat is limited to it from its header.
  await (await $t("chat-scope")).click();
  await (await $t("scope-collection")).click();
  await (await $t("scope-save")).click();
  await browser.waitUntil(async () => (await scopeText()) === "Collection: Coast (2)", {
    timeout: 5_000,
    timeoutMsg: `the header says: ${await scopeText()}`,
  });
  await shot("chat-scope");
  const sources = await ask("When should beekeepers treat for Varroa mites?");
  assert.ok(sources.length > 0 && sources.every((s) => /tides\.docx|lighthouses\.md/.test(s)), JSON.stringify(sources));

  // Choosing documents: a searchable list, "all in this collection", the chat's own marked.
  await (await $t("chat-scope")).click();
  await (await $t("scope-documents")).click();
  await (await $t("scope-choose-collection")).selectByVisibleText("Coast (2)");
  await setValue('[data-testid="scope-filter"]', "tid");
  const listed = await browser.execute(() =>
    Array.from(document.querySelectorAll('[data-testid="scope-document"]'), (b) => [b.dataset.name, b.checked]),
  );
  assert.deepEqual(listed, [["tides.docx", true]]);
  await shot("scope-picker");
  await (await $t("scope-save")).click();
  await browser.waitUntil(async () => (await scopeText()) === "2 documents", { timeout: 5_000 });
  assert.deepEqual((await chips()).map(([name]) => name).sort(), ["lighthouses.md", "tides.docx"]);
});

test("twenty files dropped at 900×600 leave the conversation in view, with one line of progress", async () => {
  await browser.setWindowSize(900, 600);
  await (await $t("new-session")).click();
  await (await $t("session-documents")).waitForDisplayed();
  // A conversation is under way when the files come.
  await ask("What do lighthouse keepers do in fog?");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-e2e-twenty-"));
  const files = Array.from({ length: 20 }, (_, i) => {
    const file = path.join(dir, `notes-${String(i + 1).padStart(2, "0")}.txt`);
    fs.writeFileSync(file, longText(300 + i * 7));
    return file;
  });
  await drag("drop", files);
  const line = async () => (await $t("documents-line")).getProperty("textContent");
  await (await $t("documents-line")).waitForDisplayed({ timeout: 10_000 });

  // The estimate is read as the work goes; when a quarter is done it is compared, in the log,
  // with when the last file is ready (a measurement, not a test: the machine's speed varies).
  const started = Date.now();
  let atQuarter = null;
  let estimated = false;
  let measured = null;
  await browser.waitUntil(
    async () => {
      const text = await line();
      const ready = Number(/(\d+) ready/.exec(text)?.[1] ?? (/^20 documents$/.test(text) ? 20 : 0));
      const left = /about (\d+) (s|min) left/.exec(text);
      if (left) estimated = true;
      const raw = await (await $t("documents-line")).getAttribute("data-seconds-left");
      if (!atQuarter && ready >= 5 && left && raw) {
        atQuarter = { at: Date.now(), left: Number(raw), text };
        if (shots) await browser.saveScreenshot(path.join(shots, "documents-line.png"));
      }
      if (!measured) measured = await messageShare();
      return ready === 20;
    },
    { timeout: 240_000, interval: 250, timeoutMsg: `never all ready: ${await line()}` },
  );
  if (atQuarter) {
    const actual = (Date.now() - atQuarter.at) / 1000;
    console.log(`time left at a quarter done: estimated ${atQuarter.left.toFixed(1)} s, actual ${actual.toFixed(1)} s (${atQuarter.text}); all in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  assert.ok(estimated, "a time-left estimate was shown while the files were processed");
  assert.equal(await line(), "20 documents");
  await shot("small-window-900x600-drop");
  console.log(`message area at 900×600 while the files are processed: ${JSON.stringify(measured)}`);
  assert.ok(measured.share >= 0.6, `the messages have ${JSON.stringify(measured)} of the window while the files are processed`);
  assert.ok((await messageShare()).share >= 0.6, "and after");
  await ask("Which words does notes-03 repeat?");
  await shot("small-window-900x600");

  // Opened, the documents panel lists each file with its status, and closes again.
  await (await $t("documents-toggle")).click();
  await (await $t("documents-panel")).waitForDisplayed();
  assert.equal((await chips()).length, 20);
  await shot("documents-panel");
  await (await $t("documents-toggle")).click();
  await (await $t("documents-panel")).waitForExist({ reverse: true });
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The message area's height as a share of the window's. */
function messageShare() {
  return browser.execute(() => {
    const list = document.querySelector('[data-testid="message-list"]').getBoundingClientRect();
    return { share: list.height / window.innerHeight, list: list.height, window: window.innerHeight };
  });
}

test("keyboard only: a citation opens with Enter, and the composer is back in a few presses", async () => {
  await browser.setWindowSize(1280, 800);
  const composer = await $t("composer-input");
  await composer.click();
  const focused = () =>
    browser.execute(() => {
      const el = document.activeElement;
      return { testid: el?.dataset.testid ?? null, cite: el?.dataset.cite ?? null, inMessage: !!el?.closest('[data-testid="message"]') };
    });
  let presses = 0;
  const press = async (...keys) => {
    presses++;
    await browser.keys(keys);
  };
  // Back from the composer lands on the last answer: one stop for the whole message.
  await press("Shift", "Tab");
  assert.equal((await focused()).inMessage, true, JSON.stringify(await focused()));
  await browser.keys("Shift"); // release
  while ((await focused()).cite === null && (await focused()).testid !== "source" && presses < 10) await press("ArrowRight");
  await press("Enter");
  await (await $t("passage")).waitForDisplayed({ timeout: 10_000 });
  await shot("keyboard-citation");
  await press("Escape");
  await (await $t("passage")).waitForExist({ reverse: true });
  await press("Tab");
  assert.equal((await focused()).testid, "composer-input", JSON.stringify(await focused()));
  assert.ok(presses <= 8, `${presses} key presses`);

  // Between messages, Tab moves a message at a time.
  const stops = await browser.execute(
    () =>
      Array.from(document.querySelectorAll('[data-testid="message"]'), (m) =>
        Array.from(m.querySelectorAll("button, [data-cite], a[href]")).filter((el) => el.tabIndex === 0).length,
      ),
  );
  assert.ok(stops.every((n) => n === 1), JSON.stringify(stops));
});

/** Runs axe-core's contrast, button-name and label rules on what the window shows now. */
async function axe(screen) {
  // The page's CSP forbids eval, so axe comes in as a WebDriver script of its own.
  if (!(await browser.execute(() => Boolean(window.axe)))) await browser.execute(axeSource);
  const result = await browser.executeAsync(
    (done) => {
      window.axe
        .run(document, { runOnly: ["color-contrast", "button-name", "label"], resultTypes: ["violations"] })
        .then((r) => done(r.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary}`) }))))
        .catch((e) => done([{ id: "axe failed", nodes: [String(e)] }]));
    },
  );
  assert.deepEqual(result, [], `${screen}: ${JSON.stringify(result, null, 1)}`);
}

test("axe-core finds no contrast, name or label violations on the chat, library, settings and Models screens in both themes", async () => {
  for (const theme of ["light", "dark"]) {
    await (await $t("open-settings")).click();
    await (await $t("settings-dialog")).waitForDisplayed();
    await (await $t("settings-theme")).selectByAttribute("value", theme);
    await (await $t("settings-save")).click();
    await (await $t("settings-saved")).waitForDisplayed();
    await axe(`settings (${theme})`);
    await (await browser.$$('[data-testid="settings-section"]'))[0].click();
    await axe(`Models (${theme})`);
    await browser.keys("Escape");
    await (await $t("settings-dialog")).waitForExist({ reverse: true });
    assert.equal(await browser.execute(() => document.documentElement.dataset.theme), theme);

    // The chat with an answer, its sources, an opened passage and the inspector.
    await (await browser.$$('[data-testid="source"]')).at(-1).click();
    await (await $t("passage")).waitForDisplayed({ timeout: 10_000 });
    await (await browser.$$('[data-testid="inspect"]')).at(-1).click();
    await axe(`chat (${theme})`);
    await shot(`chat-${theme}`);
    await browser.keys("Escape");
    await browser.keys("Escape");

    await (await $t("open-library")).click();
    await (await $t("library")).waitForDisplayed();
    await (await $t("library-advanced")).click();
    await axe(`library (${theme})`);
    await (await $t("chat-scope")).isExisting();
    await browser.keys("Escape");
    await (await $t("library")).waitForExist({ reverse: true });

    await (await $t("chat-scope")).click();
    await (await $t("scope-dialog")).waitForDisplayed();
    await axe(`scope picker (${theme})`);
    await browser.keys("Escape");
    await (await $t("scope-dialog")).waitForExist({ reverse: true });
  }
  // A new chat with no model offers the models found on this machine.
  await (await $t("new-session")).click();
  await (await $t("model-suggestions")).waitForDisplayed({ timeout: 10_000 });
  await axe("model suggestions (dark)");
});

test("a chat is exported to Markdown and imported back; the database is backed up while the app runs", async () => {
  await browser.setWindowSize(1280, 800);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-e2e-export-"));
  // The first chat (about bees, limited to the Coast documents): its row's Export button.
  const rows = await browser.$$('[data-testid="session-row"]');
  const row = rows.at(-1);
  await row.moveTo();
  await (await row.$('[data-testid="export-session"]')).click();
  const md = path.join(dir, "bees.md");
  answerSaveDialog("Export chats", md);
  await (await $t("export-done")).waitForDisplayed({ timeout: 10_000 });
  const text = fs.readFileSync(md, "utf8");
  assert.match(text, /^# When should beekeepers treat/);
  assert.match(text, /\*\*You\*\* · .*\n\nWhen should beekeepers treat for Varroa mites\?/);
  assert.match(text, /\[\^a1-1\]: beekeeping\.pdf, page 3: “/, "citations are footnotes with document, page and passage");

  // The chat is tagged with what it is about; a tag lists the chats that have it; the person's
  // own tags replace them.
  const tagTexts = await browser.execute(() =>
    Array.from(
      Array.from(document.querySelectorAll('[data-testid="session-row"]')).at(-1).querySelectorAll('[data-testid="session-tag"]'),
      (t) => t.textContent,
    ),
  );
  assert.ok(tagTexts.some((t) => /^#(varroa|mites?|beekeepers|treat)$/.test(t)), JSON.stringify(tagTexts));
  await (await row.$('[data-testid="session-tag"]')).click();
  await browser.waitUntil(async () => (await browser.$$('[data-testid="session-row"]')).length < rows.length, { timeout: 5_000 });
  await shot("tags");
  const tagged = (await browser.$$('[data-testid="session-row"]'))[0];
  await tagged.moveTo();
  await (await tagged.$('[data-testid="edit-tags"]')).click();
  const tagsInput = await $t("tags-input");
  await tagsInput.waitForDisplayed({ timeout: 5_000 });
  // Typed into the field as it opens focused (clearing it through WebDriver would blur it).
  await browser.keys(["Control", "a"]);
  await browser.keys("apiary, autumn"); // no doubled letter: WebKitWebDriver drops one of "ee"
  await browser.keys("Enter");
  await browser.waitUntil(
    async () => JSON.stringify(await browser.execute(() => Array.from(document.querySelectorAll('[data-testid="session-tag"]'), (t) => t.textContent))).includes("#autumn"),
    { timeout: 5_000, timeoutMsg: "the person's tags are not shown" },
  );
  await setValue('[data-testid="session-filter"]', "");
  await browser.waitUntil(async () => (await browser.$$('[data-testid="session-row"]')).length === rows.length, { timeout: 5_000 });

  // Every chat as JSON from Settings, then imported back as new chats.
  await (await $t("open-settings")).click();
  await (await $t("settings-export-all")).click();
  const json = path.join(dir, "all.json");
  answerSaveDialog("Export chats", json);
  await (await $t("settings-transfer-done")).waitForDisplayed({ timeout: 10_000 });
  const exported = JSON.parse(fs.readFileSync(json, "utf8"));
  assert.equal(exported.format, "hearth-chats");
  const before = (await browser.$$('[data-testid="session-row"]')).length;
  await (await $t("settings-import")).click();
  answerFileDialog(json, "Import chats");
  await browser.waitUntil(async () => /Imported \d+ chats/.test(await (await $t("settings-transfer-done")).getProperty("textContent")), {
    timeout: 10_000,
  });
  await browser.waitUntil(async () => (await browser.$$('[data-testid="session-row"]')).length === before + exported.chats.length, {
    timeout: 10_000,
    timeoutMsg: "the imported chats are not listed",
  });

  // Back up now, while the app runs: a whole database that the CLI can read.
  const backup = path.join(dir, "backup.db");
  await (await $t("settings-backup-now")).click();
  answerSaveDialog("Back up Hearth's database", backup);
  const done = await $t("settings-backup-done");
  await done.waitForDisplayed({ timeout: 15_000 });
  assert.match(await done.getProperty("textContent"), /Saved [\d.]+ MB \(\d+ chats, \d+ documents\)/);
  const sessionsInBackup = Number(/\((\d+) chats/.exec(await done.getProperty("textContent"))[1]);
  assert.equal(sessionsInBackup, before + exported.chats.length);
  await shot("settings-chats-backups");
  // How the embedding model computes: int8 on this machine, automatically; a change applies at
  // the next start (the CLI test starts again and checks the model it then loads).
  const compute = await $t("settings-compute");
  await compute.scrollIntoView({ block: "center" });
  assert.equal(await compute.getValue(), "auto");
  assert.match(await (await $t("settings-computing")).getProperty("textContent"), /Now computing in int8\. A change applies when Hearth starts next/);
  await shot("settings-compute");
  await browser.keys("Escape");
  fs.rmSync(dir, { recursive: true, force: true });
});

test("a watched folder in the window: its files are added, and a changed file is indexed again", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-e2e-watched-"));
  const file = path.join(dir, "glaciers.md");
  fs.writeFileSync(file, "# Glaciers\n\nA glacier moves by deforming under its own weight.\n");
  const past = new Date(Date.now() - 60_000);
  fs.utimesSync(file, past, past);
  await (await $t("open-library")).click();
  await (await $t("library")).waitForDisplayed();
  await (await $t("library-watch-folder")).click();
  answerFolderDialog("Watch a folder", dir);
  const folderRow = await $t("watched-folder");
  await folderRow.waitForDisplayed({ timeout: 15_000 });
  assert.match(await folderRow.getProperty("textContent"), new RegExp(`Watching ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  const status = () =>
    browser.execute(() => {
      const row = Array.from(document.querySelectorAll('[data-testid="library-row"]')).find((r) => r.querySelector("td.name")?.textContent.trim() === "glaciers.md");
      return row?.querySelector('[data-testid="document-status"]')?.dataset.status ?? null;
    });
  await browser.waitUntil(async () => (await status()) === "ready", { timeout: 60_000, timeoutMsg: `glaciers.md: ${await status()}` });

  // The file changes behind the app's back (an editor saves it): the watcher re-indexes it.
  await (await browser.$('[aria-label="Search mode"]')).selectByAttribute("value", "keyword");
  fs.writeFileSync(file, "# Glaciers\n\nA surging glacier can advance a hundred times faster than usual.\n");
  const hits = async (words) => {
    await setValue('[data-testid="library-search"]', words);
    await (await $t("library-search")).click();
    await browser.keys("Enter");
    await browser.pause(300);
    return browser.execute(() => Array.from(document.querySelectorAll('[data-testid="library-hit"] .where strong'), (s) => s.textContent));
  };
  await browser.waitUntil(async () => (await hits("surging glacier")).includes("glaciers.md"), {
    timeout: 60_000,
    interval: 1_000,
    timeoutMsg: "the changed file was not indexed again",
  });
  assert.ok(!(await hits("deforming weight")).includes("glaciers.md"), "the old text is gone");
  await shot("watched-folder");
  await (await $t("unwatch-folder")).click();
  await (await $t("watched-folder")).waitForExist({ reverse: true });
  await browser.keys("Escape");
  fs.rmSync(dir, { recursive: true, force: true });
});
