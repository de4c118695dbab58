// Measures the documents line's time-left estimate on a real drop (not a test: run by hand).
//   xvfb-run -a node measure-eta.mjs FILE…   (twenty files, say)
// Opens the real window on a fresh data directory, drops the files on a new chat, reads the line
// ("20 documents · 5 ready · about 40 s left") every 250 ms, and prints, at a quarter and at half
// done, the estimate against when the last file was actually ready.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startDriver } from "./driver.mjs";
import { windowHelpers } from "./window.mjs";

const files = process.argv.slice(2).map((f) => path.resolve(f));
if (files.length === 0) throw new Error("usage: node measure-eta.mjs FILE…");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-eta-"));
const driver = await startDriver({ HEARTH_DATA_DIR: dataDir });
const browser = await driver.launch();
const { drag } = windowHelpers(() => browser);
try {
  await (await browser.$('[data-testid="new-session"]')).click();
  await (await browser.$('[data-testid="session-documents"]')).waitForDisplayed();
  const started = Date.now();
  await drag("drop", files);
  const samples = [];
  for (;;) {
    const [text, raw] = await browser.execute(() => {
      const line = document.querySelector('[data-testid="documents-line"]');
      return [line?.textContent ?? "", line?.dataset.secondsLeft ?? null];
    });
    const settled = /^\d+ documents?( · \d+ failed)?$/.test(text) && text !== "";
    const ready = settled ? files.length : Number(/(\d+) ready/.exec(text)?.[1] ?? 0);
    const left = /about (\d+) (s|min) left/.exec(text);
    // The unrounded estimate the line was made from (the line says it to 5 s or a minute).
    samples.push({ t: Date.now(), ready, left: left && raw ? Number(raw) : null, text });
    if (settled) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const end = samples.at(-1).t;
  console.log(`${files.length} files, all processed in ${((end - started) / 1000).toFixed(1)} s`);
  for (const share of [0.25, 0.5]) {
    const at = samples.find((s) => s.ready >= Math.ceil(files.length * share) && s.left !== null);
    if (!at) continue;
    const actual = (end - at.t) / 1000;
    const error = ((at.left - actual) / actual) * 100;
    console.log(`at ${share * 100}% (${at.text}): estimated ${at.left.toFixed(1)} s, actual ${actual.toFixed(1)} s, error ${error.toFixed(0)} %`);
  }
} finally {
  await browser.deleteSession().catch(() => {});
  await driver.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
