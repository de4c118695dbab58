// Starts the real Hearth binary under tauri-driver and hands back a WebdriverIO session.
// Each `launch()` is one app process; `quit()` closes it, so a later `launch()` is a relaunch.
import { spawn } from "node:child_process";
import { once } from "node:events";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const targetDir = process.env.CARGO_TARGET_DIR ? path.resolve(root, process.env.CARGO_TARGET_DIR) : path.join(root, "target");
export const APP = process.env.HEARTH_APP ?? path.join(targetDir, "debug", "hearth-app");
export const CLI = process.env.HEARTH_CLI ?? path.join(targetDir, "debug", "hearth");

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => socket.end(() => resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`tauri-driver did not listen on ${port} within ${ms} ms`);
}

/** Starts tauri-driver with `env` (the app inherits it, e.g. HEARTH_DATA_DIR). */
export async function startDriver(env) {
  const port = await freePort();
  const nativePort = await freePort();
  // A process group of its own, so that stopping it also ends WebKitWebDriver and any app it
  // started that is still running: an app left behind keeps the test runner's output pipe open,
  // and the runner waits for it forever.
  const driver = spawn("tauri-driver", ["--port", String(port), "--native-port", String(nativePort)], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
  });
  await waitForPort(port, 15_000);
  return {
    async launch() {
      const browser = await remote({
        hostname: "127.0.0.1",
        port,
        logLevel: "warn",
        capabilities: {
          browserName: "wry",
          "tauri:options": { application: APP },
          "wdio:enforceWebDriverClassic": true,
        },
      });
      await browser.setTimeout({ implicit: 0 });
      return browser;
    },
    async stop() {
      const exited = driver.exitCode === null && driver.signalCode === null ? once(driver, "exit") : null;
      try {
        process.kill(-driver.pid, "SIGKILL");
      } catch {
        // the group is already gone
      }
      await exited;
    },
  };
}
