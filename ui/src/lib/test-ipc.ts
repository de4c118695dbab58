import { mockIPC, clearMocks } from "@tauri-apps/api/mocks";
import { afterEach } from "vitest";

type Handler = (args: Record<string, unknown>) => unknown;

/** Routes Tauri commands to `handlers` through Tauri's own IPC mock, and records every call.
 * Events (`listen`/`emit`) are mocked too, so a test can play the backend's events. */
export function fakeBackend(handlers: Record<string, Handler>) {
  const calls: { cmd: string; args: Record<string, unknown> }[] = [];
  mockIPC((cmd, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    const handler = handlers[cmd];
    if (!handler) throw `unknown command ${cmd}`;
    return handler(args);
  }, { shouldMockEvents: true });
  return calls;
}

afterEach(() => clearMocks());
