import { describe, expect, it } from "vitest";
import { fakeBackend } from "../test-ipc";
import { ApiError } from "./invoke";
import { createSession, deleteSession, listSessions, renameSession } from "./sessions";
import { listMessages, MESSAGE_PAGE } from "./messages";

const session = {
  id: "5f0c7a53-6c1e-4f5e-9c39-1e5d2a8b0c11",
  name: "Papers",
  created_at: "2026-01-01T00:00:00Z",
  last_updated_at: "2026-01-01T00:00:00Z",
  llm_model_name: "extractive",
    model_choice: "extractive",
  metadata_tags: [],
  rag_document_ids: [],
};

describe("api wrappers", () => {
  it("send the argument names the Rust commands expect", async () => {
    const calls = fakeBackend({
      create_session: () => session,
      list_sessions: () => ({ items: [session], total: 1 }),
      rename_session: () => ({ ...session, name: "New" }),
      delete_session: () => null,
      list_messages: () => [],
    });
    await createSession({ name: "Papers" });
    await listSessions(50, 0);
    await renameSession(session.id, "New");
    await deleteSession(session.id);
    await listMessages(session.id);
    expect(calls).toEqual([
      { cmd: "create_session", args: { request: { name: "Papers" } } },
      { cmd: "list_sessions", args: { limit: 50, offset: 0 } },
      { cmd: "rename_session", args: { id: session.id, name: "New" } },
      { cmd: "delete_session", args: { id: session.id } },
      { cmd: "list_messages", args: { sessionId: session.id, limit: MESSAGE_PAGE, offset: 0 } },
    ]);
  });

  it("turn an IPC error into an ApiError with its code", async () => {
    fakeBackend({
      get_session: () => {
        throw { code: "NOT_FOUND", message: "session x was not found" };
      },
      list_sessions: () => {
        throw { code: "INVALID_INPUT", message: "limit must be between 1 and 1000, got 0" };
      },
    });
    const err = await listSessions(0, 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: "INVALID_INPUT", message: "limit must be between 1 and 1000, got 0" });
  });

  it("turn anything else into an INTERNAL ApiError", async () => {
    fakeBackend({});
    const err = await listSessions(1, 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: "INTERNAL", message: "unknown command list_sessions" });
  });

  it("do not trust an unknown error code", async () => {
    fakeBackend({
      list_sessions: () => {
        throw { code: "WHATEVER", message: "m" };
      },
    });
    await expect(listSessions(1, 0)).rejects.toMatchObject({ code: "INTERNAL" });
  });
});
