// Helpers for driving the real window as a person does: commands from inside the page, typing
// into fields, drops, the chat's document chips, asking a question, the system's file dialog.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";

/** Helpers bound to the current WebDriver session (`browser()`: a relaunch replaces it). */
export function windowHelpers(browser) {
  /** Invokes a command from inside the page, as the UI's wrappers do. A failure comes back as
   * `failure: {code, message}` (a result with an `error` key would read as a WebDriver error). */
  function invoke(command, args = {}) {
    return browser().executeAsync(
      (command, args, done) => {
        window.__TAURI_INTERNALS__
          .invoke(command, args)
          .then((value) => done({ ok: true, value }))
          .catch((failure) => done({ ok: false, failure }));
      },
      command,
      args,
    );
  }

  async function ok(command, args) {
    const result = await invoke(command, args);
    assert.ok(result.ok, `${command} failed: ${JSON.stringify(result.failure)}`);
    return result.value;
  }

  /** Sets a field's value as typing does (Element Clear would blur it; see sessions.test.mjs). */
  async function setValue(selector, value) {
    await browser().execute(
      (el, value) => {
        el.value = value;
        el.dispatchEvent(new Event("input", { bubbles: true }));
      },
      await browser().$(selector),
      value,
    );
  }

  /** Plays what Tauri sends the window when files are dragged over it and dropped. */
  function drag(kind, paths) {
    return ok("plugin:event|emit", { event: `tauri://drag-${kind}`, payload: { paths, position: { x: 400, y: 300 } } });
  }

  /** The open chat's documents with their statuses, from the panel its documents line opens
   * (opened here if it is closed). */
  const chips = () =>
    browser().execute(() => {
      const toggle = document.querySelector('[data-testid="documents-toggle"]');
      if (toggle?.getAttribute("aria-expanded") === "false") toggle.click();
      return Array.from(document.querySelectorAll('[data-testid="document-chip"]'), (el) => [
        el.querySelector(".name").textContent,
        el.dataset.status,
      ]);
    });

  /** Asks in the open chat's composer as a person does; resolves to the answer's first source
   * (waiting up to `timeout` ms for it: the first answer may load the model). */
  async function ask(question, timeout = 20_000) {
    const composer = await browser().$('[data-testid="composer-input"]');
    await composer.waitForDisplayed();
    await composer.click();
    await composer.addValue(question);
    await browser().keys("Enter");
    const firstSource = () =>
      browser().execute(() => document.querySelector('[data-testid="source"]')?.textContent.trim() ?? null);
    await browser().waitUntil(async () => (await firstSource()) !== null, { timeout, timeoutMsg: "no sources shown" });
    return firstSource();
  }

  return { invoke, ok, setValue, drag, chips, ask };
}

/** Answers the system's file dialog (GTK's, under Xvfb) as a person does: types the file's path
 * into its location bar, or presses Escape when `file` is null. */
export function answerFileDialog(file, title = "Add files to Hearth") {
  const run = (...args) => execFileSync("xdotool", args, { timeout: 20_000 }).toString().trim();
  // Only once GTK has mapped the dialog can it take the keyboard focus.
  const dialog = run("search", "--sync", "--onlyvisible", "--name", title).split("\n")[0];
  run("windowfocus", "--sync", dialog);
  if (file === null) {
    run("key", "Escape");
    return;
  }
  // Pauses let GTK open the location bar and complete the path before the next key.
  run("sleep", "0.3", "key", "ctrl+l", "sleep", "0.3", "type", "--delay", "15", file);
  run("sleep", "0.5", "key", "Return");
}

/** A long text of varied sentences (the same every run), so that indexing it takes a while. */
export function longText(sentences) {
  const words = "river stone lantern orchard harbour copper meadow signal winter basalt compass ember glacier".split(" ");
  let seed = 7;
  const next = () => (seed = (seed * 48271) % 2147483647);
  const lines = [];
  for (let i = 0; i < sentences; i++) {
    const n = 8 + (next() % 10);
    const sentence = `${Array.from({ length: n }, () => words[next() % words.length]).join(" ")} ${i}.`;
    lines.push(sentence, i % 12 === 11 ? "\n\n" : " ");
  }
  return lines.join("");
}

/** Answers the system's save dialog titled `title` with `file` (a full path), as a person
 * types it into the name field. */
export function answerSaveDialog(title, file) {
  const run = (...args) => execFileSync("xdotool", args, { timeout: 20_000 }).toString().trim();
  const dialog = run("search", "--sync", "--onlyvisible", "--name", title).split("\n")[0];
  run("windowfocus", "--sync", dialog);
  run("sleep", "0.5", "key", "ctrl+a", "sleep", "0.2", "type", "--delay", "15", file);
  run("sleep", "0.5", "key", "Return");
}

/** Answers the system's folder dialog titled `title` with the folder `dir`, as a person does:
 * Home in its sidebar (GTK opens on Recent, where a typed path goes nowhere), the path typed in
 * the location bar and Enter to go in, then Enter to choose it. */
export function answerFolderDialog(title, dir) {
  const run = (...args) => execFileSync("xdotool", args, { timeout: 20_000 }).toString().trim();
  const dialog = run("search", "--sync", "--onlyvisible", "--name", title).split("\n")[0];
  run("windowfocus", "--sync", dialog);
  run("sleep", "0.3", "mousemove", "--window", dialog, "57", "59", "click", "1");
  run("sleep", "0.5", "key", "ctrl+l", "sleep", "0.3", "type", "--delay", "15", `${dir}/`);
  run("sleep", "0.5", "key", "Return");
  run("sleep", "0.8", "key", "Return");
}
