import { mockIPC, clearMocks } from "@tauri-apps/api/mocks";
import { afterEach } from "vitest";
import type { SourceRecord } from "./api/bindings/SourceRecord";
import type { TurnRecord } from "./api/bindings/TurnRecord";

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

/** A turn record for a fake answer: empty but for what the test gives. */
export function turnRecord(overrides: Partial<TurnRecord> = {}): TurnRecord {
  return {
    backend: "extractive",
    model: "extractive",
    finish: "complete",
    question_id: 1,
    retrieval: { skipped: "the chat has no documents" },
    sources: [],
    dropped_sources: [],
    dropped_history: [],
    history_used: [],
    prompt: {
      tokens: { budget: 3584, instructions: 10, sources: 0, history: 0, message: 5, total: 15 },
      messages: [],
    },
    timings_ms: { embed: 0, search: 0, prompt: 0, llm: 0 },
    ...overrides,
  };
}

/** A cited source of a fake answer. */
export function sourceRecord(n: number): SourceRecord {
  return {
    n,
    chunk_id: n,
    document_id: "d",
    document_name: `doc${n}.pdf`,
    page: n,
    snippet: "…",
    score: 0.03,
    keyword: null,
    vector: { rank: n, score: 0.5 },
  };
}
