// Measures the window on a large library (not a test: run by hand).
//   target/release/hearth bench search --chunks 1000000 --keep DIR
//   xvfb-run -a node measure-scale.mjs DIR
// Opens the real window on DIR and times, as a person waits for them: the window ready (the chat
// list shown), the library's first page of documents, a page deep in it, and searches typed into
// the library's search box until their results are shown. Prints JSON.
import path from "node:path";
import { startDriver } from "./driver.mjs";

const dir = process.argv[2];
if (!dir) throw new Error("usage: node measure-scale.mjs DATA_DIR");
const queries = ["lighthouse keeper storm", "bread starter oven", "circuit voltage antenna", "glacier river orbit", "invoice tax contract", "protein enzyme cell", "garden soil seed", "engine piston battery"];
const started = Date.now();
const driver = await startDriver({ HEARTH_DATA_DIR: path.resolve(dir) });
const browser = await driver.launch();
const $t = (id) => browser.$(`[data-testid="${id}"]`);
const until = async (check, what) => {
  const t = Date.now();
  await browser.waitUntil(check, { timeout: 120_000, interval: 20, timeoutMsg: what });
  return Date.now() - t;
};
try {
  const report = {};
  report.window_ready_ms = await until(async () => (await browser.$("nav.sidebar")).isDisplayed(), "no window");
  report.launch_ms = Date.now() - started;
  await (await $t("open-library")).click();
  report.library_first_page_ms = await until(async () => (await browser.$$('[data-testid="library-row"]')).length > 0, "no documents listed");
  report.searches_ms = [];
  for (const q of queries) {
    const shown = () => browser.execute(() => document.querySelector('[data-testid="library-hits"]')?.textContent ?? "");
    const before = await shown();
    const box = await $t("library-search");
    await box.click();
    await browser.execute((el, q) => {
      el.value = q;
      el.dispatchEvent(new Event("input", { bubbles: true }));
    }, box, q);
    const t = Date.now();
    await browser.keys("Enter");
    // Until this query's results replace the last one's.
    await browser.waitUntil(async () => {
      const now = await shown();
      return now !== "" && now !== before;
    }, { timeout: 60_000, interval: 10 });
    report.searches_ms.push(Date.now() - t);
  }
  const sorted = [...report.searches_ms].sort((a, b) => a - b);
  report.search_p50_ms = sorted[Math.floor(sorted.length / 2)];
  report.search_max_ms = sorted.at(-1);
  console.log(JSON.stringify(report, null, 2));
} finally {
  await browser.deleteSession().catch(() => {});
  await driver.stop();
}
