// The whole desktop app's memory, as the system counts it: the Rust process and WebKit's web and
// network processes (RSS, and PSS, which splits shared pages fairly). Measured idle after start,
// after a question answered from the chat's documents (the embedding model loaded), after the
// chat switched to the tiny GGUF model and it answered (with the time from pressing Send to the
// first token shown in the window), and, with a file given, at the peak while the window ingests
// it.
//
// Usage (see BENCHMARKS.md), after
//   cargo build --release -p hearth-app -p hearth-cli --features hearth-app/custom-protocol:
//   xvfb-run -a -s "-screen 0 1280x800x24" node scripts/bench/app_memory.mjs [file-to-ingest]
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const target = path.resolve(root, process.env.CARGO_TARGET_DIR ?? "target", "release");
process.env.HEARTH_APP ??= path.join(target, "hearth-app");
const cli = path.join(target, "hearth");
// driver.mjs reads HEARTH_APP when it is loaded.
const { startDriver } = await import("../../tests/e2e/driver.mjs");
const { windowHelpers } = await import("../../tests/e2e/window.mjs");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The app's process and every process below it (WebKit's helpers). */
function appProcesses() {
  const app = Number(execFileSync("pgrep", ["-n", "-x", "hearth-app"]).toString().trim());
  const parents = new Map();
  for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      parents.set(Number(pid), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const tree = [app];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

/** RSS and PSS of the app's processes, in MB, in all and per process. */
function memory() {
  const per = appProcesses().flatMap((pid) => {
    try {
      const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
      const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(rollup)?.[1] ?? 0);
      const name = fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
      return [{ name, rss_mb: kb("Rss") / 1024, pss_mb: kb("Pss") / 1024 }];
    } catch {
      return [];
    }
  });
  const sum = (key) => Math.round(per.reduce((s, p) => s + p[key], 0));
  return { rss_mb: sum("rss_mb"), pss_mb: sum("pss_mb"), processes: per.map((p) => `${p.name} ${Math.round(p.pss_mb)}`) };
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-memory-"));
/** Runs the CLI on the benchmark's data directory; `--json` output is parsed. */
const hearth = (...args) => {
  const out = execFileSync(cli, args, { env: { ...process.env, HEARTH_DATA_DIR: dataDir } }).toString();
  return args.includes("--json") ? JSON.parse(out) : out;
};
const fixtures = ["beekeeping.pdf", "tides.docx", "volcanoes.html", "lighthouses.md"].map((f) => path.join(root, "tests/fixtures", f));
const added = hearth("docs", "add", ...fixtures, "--json");
const ids = added.map((a) => a.document.id);
hearth("sessions", "create", "--name", "Bench", "--docs", ...ids);

const driver = await startDriver({ HEARTH_DATA_DIR: dataDir });
const browser = await driver.launch();
const { ask, drag } = windowHelpers(() => browser);
const report = {};
try {
  const row = await browser.$('[data-testid="session-name"]');
  await row.waitForClickable({ timeout: 30_000 });
  await sleep(5_000);
  report.idle = memory();

  await row.click();
  await ask("When should the hive be treated against mites?", 60_000);
  await sleep(3_000);
  report.after_a_question = memory();

  // The same chat switched to the tiny GGUF model, run in the app: from pressing Send to the
  // first token on screen, seen by a MutationObserver in the page (WebDriver must not poll while
  // an answer streams), and the memory with the model loaded.
  const session = hearth("sessions", "list", "--json").items[0];
  const tiny = path.join(root, "models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf");
  hearth("sessions", "model", session.id, tiny);
  hearth("settings", "chat", "--answer-tokens", "64");
  report.first_token_ms = [];
  for (const question of ["What do beekeepers count mites with?", "And when is oxalic acid best used?"]) {
    await browser.execute(() => {
      window.__sent = null;
      window.__first = null;
      document.addEventListener("keydown", (e) => {
        if (e.key === "Enter" && !e.shiftKey && window.__sent === null) window.__sent = performance.now();
      }, { capture: true });
      new MutationObserver((_, observer) => {
        const text = document.querySelector('[data-testid="streaming-answer"] .content.streaming')?.textContent ?? "";
        if (text.trim() && window.__sent !== null) {
          window.__first = performance.now();
          observer.disconnect();
        }
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    const before = hearth("messages", "list", session.id, "--json").length;
    const composer = await browser.$('[data-testid="composer-input"]');
    await composer.click();
    await composer.addValue(question);
    await browser.keys("Enter");
    for (let i = 0; i < 240; i++) {
      await sleep(250);
      const now = hearth("messages", "list", session.id, "--json").length;
      if (now === before + 2) break;
    }
    await sleep(1_000);
    const generation = hearth("messages", "list", session.id, "--json").at(-1).metadata.generation;
    report.first_token_ms.push({
      in_the_window: await browser.execute(() => Math.round(window.__first - window.__sent)),
      in_the_engine: generation.time_to_first_token_ms,
      prompt_tokens: generation.prompt_tokens,
      reused_tokens: generation.reused_tokens,
    });
  }
  await sleep(2_000);
  report.after_the_tiny_model_answered = memory();

  const file = process.argv[2];
  if (file) {
    await drag("drop", [path.resolve(file)]);
    let peak = memory();
    const started = Date.now();
    for (;;) {
      await sleep(250);
      const now = memory();
      if (now.pss_mb > peak.pss_mb) peak = now;
      const statuses = await browser.execute(() => Array.from(document.querySelectorAll('[data-testid="document-chip"]'), (c) => c.dataset.status));
      if (statuses.length > fixtures.length && statuses.every((s) => s === "ready" || s === "failed")) break;
      if (Date.now() - started > 600_000) throw new Error("ingestion did not finish in 10 minutes");
    }
    report.ingest_peak = { file: path.basename(file), seconds: (Date.now() - started) / 1000, ...peak };
    await sleep(3_000);
    report.after_ingest = memory();
  }
} finally {
  await browser.deleteSession().catch(() => {});
  await driver.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
console.log(JSON.stringify(report, null, 2));
