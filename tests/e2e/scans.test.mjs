// Scanned pages through the real window: a PDF whose pages are only images (made from a text
// PDF this repository holds, so its words are known) is dropped, read by OCR with its progress
// page by page, answered from with a citation that opens on the scanned page with the passage
// highlighted, and marked as OCR in the passage and the library; an image without text fails
// with its reason.
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
const fixtures = path.resolve(here, "../fixtures");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-e2e-scans-"));
const scans = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-e2e-scanned-"));
const scan = path.join(scans, "scanned-beekeeping.pdf");
let driver;
let browser;
const { ok, drag, chips, ask } = windowHelpers(() => browser);

before(async () => {
  // A scanner's output: each page only an image of itself, drawn at 200 dpi.
  execFileSync(CLI, ["bench", "scan", path.join(fixtures, "beekeeping.pdf"), scan, "--dpi", "200"]);
  driver = await startDriver({ HEARTH_DATA_DIR: dataDir });
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  await driver?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(scans, { recursive: true, force: true });
});

test("a scanned PDF is read by OCR with its progress, answered from, and cited on its page", async () => {
  browser = await driver.launch();
  const welcome = await browser.$('[data-testid="welcome-add-files"]');
  await welcome.waitForDisplayed({ timeout: 15_000 });
  await drag("enter", [scan]);
  await (await browser.$('[data-testid="drop-target"]')).waitForDisplayed();
  await drag("drop", [scan]);

  // The OCR's progress, page by page, where the document's status is shown.
  const added = await browser.$('[data-testid="welcome-added"]');
  await added.waitForDisplayed({ timeout: 10_000 });
  const seen = new Set();
  let shot = false;
  await browser.waitUntil(
    async () => {
      const now = await browser.execute(() => ({
        ocr: document.querySelector('[data-testid="welcome-added"] [data-testid="document-ocr-progress"]')?.textContent.trim() ?? null,
        status: document.querySelector('[data-testid="welcome-added"] [data-testid="document-status"]')?.dataset.status ?? null,
      }));
      if (now.ocr) {
        seen.add(now.ocr);
        if (shots && !shot) {
          shot = true;
          await browser.saveScreenshot(path.join(shots, "scan-ocr-progress.png"));
        }
      }
      return now.status === "ready";
    },
    { timeout: 180_000, interval: 50, timeoutMsg: `the scan was never ready; OCR progress seen: ${[...seen]}` },
  );
  assert.ok(seen.size >= 2, `OCR progress was shown page by page: ${[...seen]}`);
  for (const text of seen) assert.match(text, /^OCR page [1-4] of 4$/);

  const [document] = (await ok("list_documents", { limit: 10, offset: 0 })).items;
  assert.equal(document.name, "scanned-beekeeping.pdf");
  assert.equal(document.ocr_pages, 4);
  assert.ok(document.ocr_confidence > 0.85, JSON.stringify(document));

  // A chat about it answers from the scanned page.
  await (await browser.$('[data-testid="chat-about-added"]')).click();
  await browser.waitUntil(async () => JSON.stringify(await chips()) === JSON.stringify([["scanned-beekeeping.pdf", "ready"]]), {
    timeout: 10_000,
    timeoutMsg: `the new chat's documents: ${JSON.stringify(await chips())}`,
  });
  assert.equal(await ask("When should the hive be treated against mites?"), "[1] scanned-beekeeping.pdf, page 3");
  const answer = await browser.execute(() => document.querySelectorAll('[data-testid="message-content"]')[1].textContent);
  assert.match(answer, /Oxalic acid is most effective in midwinter/);

  // The citation opens on the scanned page, the passage's lines highlighted where OCR found
  // them, and says the text was read by OCR.
  await (await browser.$('[data-testid="source"]')).click();
  const passage = await browser.$('[data-testid="passage"]');
  await passage.waitForDisplayed();
  const ocrNote = await browser.$('[data-testid="passage-ocr"]');
  await ocrNote.waitForDisplayed({ timeout: 10_000 });
  assert.match(await ocrNote.getProperty("textContent"), /^read by OCR, (8[5-9]|9\d|100)% confident$/);
  const placed = () =>
    browser.execute(() => {
      const img = document.querySelector('[data-testid="passage"] [data-testid="page-image"]');
      if (!img) return { loaded: false };
      const box = img.getBoundingClientRect();
      const marks = Array.from(document.querySelectorAll('[data-testid="page-highlight"]'), (m) => m.getBoundingClientRect());
      return {
        loaded: img.complete && img.naturalWidth > 0,
        marks: marks.length,
        inside: marks.every((m) => m.left >= box.left - 1 && m.right <= box.right + 1 && m.top >= box.top - 1 && m.bottom <= box.bottom + 1),
      };
    });
  await browser.waitUntil(async () => (await placed()).loaded && (await placed()).marks > 0, {
    timeout: 30_000,
    timeoutMsg: `the scanned page was not drawn with its highlights: ${JSON.stringify(await placed())}`,
  });
  const onPage = await placed();
  assert.ok(onPage.inside, JSON.stringify(onPage));
  assert.equal(
    (await (await browser.$('[data-testid="page-number"]')).getProperty("textContent")).trim(),
    "Page 3 of 4",
  );
  await browser.pause(300);
  if (shots) await browser.saveScreenshot(path.join(shots, "scan-citation-on-page.png"));

  // The library says which passages and documents were read by OCR, and how surely.
  await (await browser.$('[data-testid="open-in-library"]')).click();
  const chunkMark = await browser.$('[data-testid="chunk-ocr"]');
  await chunkMark.waitForDisplayed({ timeout: 10_000 });
  assert.match(await chunkMark.getProperty("textContent"), /^OCR (8[5-9]|9\d|100)%$/);
  await browser.pause(300);
  if (shots) await browser.saveScreenshot(path.join(shots, "scan-library-passages.png"));
  await (await browser.$('[data-testid="chunks-back"]')).click();
  const mark = await browser.$('[data-testid="library-ocr"]');
  await mark.waitForDisplayed({ timeout: 10_000 });
  assert.match(await mark.getProperty("textContent"), /^OCR (8[5-9]|9\d|100)%$/);
  assert.match(await mark.getAttribute("title"), /^4 pages read from their images by OCR/);
  await browser.pause(300);
  if (shots) await browser.saveScreenshot(path.join(shots, "scan-library.png"));
  await browser.keys("Escape");
  await (await browser.$('[data-testid="library"]')).waitForDisplayed({ reverse: true });

  // The retrieval inspector marks every passage read by OCR, with its confidence.
  await (await browser.$('[data-testid="inspect"]')).click();
  await (await browser.$('[data-testid="inspector"]')).waitForDisplayed();
  const marks = await browser.execute(() =>
    Array.from(document.querySelectorAll('[data-testid="inspector-sources"] tbody tr'), (tr) =>
      tr.querySelector('[data-testid="inspector-ocr"]')?.textContent.trim() ?? null,
    ),
  );
  assert.ok(marks.length >= 1 && marks.every((m) => /^OCR (\d+)%$/.test(m)), JSON.stringify(marks));
  await browser.pause(300);
  if (shots) await browser.saveScreenshot(path.join(shots, "scan-inspector.png"));
});

test("an image without text fails with its reason, and the window goes on", async () => {
  const [added] = await ok("add_documents", { paths: [path.join(fixtures, "bad/blank-paper.png")] });
  assert.equal(added.error, null);
  let document;
  await browser.waitUntil(
    async () => {
      document = (await ok("get_document", { id: added.document.id, limit: 1, offset: 0 })).document;
      return document.status === "failed";
    },
    { timeout: 60_000, interval: 250, timeoutMsg: "the blank image never failed" },
  );
  assert.match(document.error, /no text was found in this image/);
  assert.equal(document.doc_type, "image");

  // With OCR turned off in Settings, an image is refused with that reason.
  const $t = (id) => browser.$(`[data-testid="${id}"]`);
  await (await $t("open-settings")).click();
  await (await $t("settings-dialog")).waitForDisplayed();
  const ocr = await $t("settings-ocr");
  await ocr.scrollIntoView({ block: "center" });
  assert.equal(await ocr.isSelected(), true, "OCR is on by default");
  assert.equal(await (await $t("settings-ocr-dpi")).getValue(), "200");
  await ocr.click();
  assert.equal(await (await $t("settings-ocr-dpi")).isEnabled(), false, "no resolution to choose with OCR off");
  await browser.pause(200);
  if (shots) await browser.saveScreenshot(path.join(shots, "scan-settings-ocr-off.png"));
  await (await $t("settings-save")).click();
  await (await $t("settings-saved")).waitForDisplayed();
  await browser.keys("Escape");
  await (await $t("settings-dialog")).waitForExist({ reverse: true });
  await ok("retry_document", { id: added.document.id });
  await browser.waitUntil(
    async () => {
      document = (await ok("get_document", { id: added.document.id, limit: 1, offset: 0 })).document;
      return document.status === "failed" && /turned off/.test(document.error ?? "");
    },
    { timeout: 60_000, interval: 250, timeoutMsg: `not refused for OCR being off: ${JSON.stringify(document)}` },
  );
  assert.match(document.error, /reading text in images \(OCR\) is turned off in Settings/);
});
