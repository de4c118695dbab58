import { describe, expect, it } from "vitest";
import { fakeBackend, sourceRecord, turnRecord } from "../test-ipc";
import type { TurnEventDto, TurnRecord } from "../api/chat";
import { SESSION_PAGE, SessionsStore } from "./sessions.svelte";
import { ChatStore } from "./chat.svelte";
import type { SessionDto } from "../api/sessions";
import type { ChatMessageDto } from "../api/messages";

function makeSession(i: number): SessionDto {
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    name: `s${i}`,
    created_at: "2026-01-01T00:00:00Z",
    last_updated_at: `2026-01-01T00:00:${String(i % 60).padStart(2, "0")}Z`,
    llm_model_name: "extractive",
    model_choice: "extractive",
    metadata_tags: [],
    tags_by_person: false,
    rag_document_ids: [],
    scope: { kind: "library" },
  };
}

/** A tiny in-memory backend with the real commands' contract. */
function backend(count: number, afterTokens: () => void = () => {}, afterLoading: () => void = () => {}) {
  let sessions = Array.from({ length: count }, (_, i) => makeSession(i));
  const messages: ChatMessageDto[] = [];
  const calls = fakeBackend({
    list_sessions: ({ limit, offset, filter }) => {
      const matching = sessions.filter((s) => s.name.includes((filter as string | undefined) ?? ""));
      const items = matching.slice(offset as number, (offset as number) + (limit as number));
      // The real command quotes the words around a match in a chat's messages.
      const found = filter ? Object.fromEntries(items.slice(0, 1).map((s) => [s.id, `…said ${filter as string} there…`])) : {};
      return { items, total: matching.length, found };
    },
    create_session: ({ request }) => {
      const s = { ...makeSession(1000), name: (request as { name?: string }).name ?? "New chat" };
      sessions = [s, ...sessions];
      return s;
    },
    rename_session: ({ id, name }) => {
      if (!(name as string).trim()) throw { code: "INVALID_INPUT", message: "session name must not be empty" };
      const s = sessions.find((x) => x.id === id);
      if (!s) throw { code: "NOT_FOUND", message: `session ${id} was not found` };
      s.name = name as string;
      return { ...s };
    },
    delete_session: ({ id }) => {
      if (!sessions.some((s) => s.id === id)) throw { code: "NOT_FOUND", message: "gone" };
      sessions = sessions.filter((s) => s.id !== id);
      return null;
    },
    send_message: ({ sessionId, content, onEvent }) => {
      const text = content as string;
      if (!text.trim()) throw { code: "INVALID_INPUT", message: "message content must not be empty" };
      const store = (role: "user" | "assistant", body: string, record: TurnRecord | null = null) => {
        const m: ChatMessageDto = {
          id: messages.length + 1,
          session_id: sessionId as string,
          timestamp: `2026-02-01T00:00:0${messages.length}Z`,
          role,
          content: body,
          record,
        };
        messages.push(m);
        return m;
      };
      const user = store("user", text);
      const events = onEvent as { onmessage: (event: TurnEventDto) => void };
      events.onmessage({ kind: "loading", model: "tiny", progress: 0.4 });
      afterLoading();
      for (const piece of ["An ", "answer [1]"]) events.onmessage({ kind: "token", text: piece });
      afterTokens();
      const assistant = store("assistant", "An answer [1]", turnRecord({ sources: [{ ...sourceRecord(1), document_name: "a.pdf", page: 3 }] }));
      return { user, assistant };
    },
    list_messages: ({ sessionId }) => messages.filter((m) => m.session_id === sessionId),
    get_session: ({ id }) => {
      const s = sessions.find((x) => x.id === id);
      if (!s) throw { code: "NOT_FOUND", message: `session ${id} was not found` };
      return { ...s };
    },
  });
  return { calls, remove: (id: string) => (sessions = sessions.filter((s) => s.id !== id)) };
}

describe("SessionsStore", () => {
  it("loads a page, then more, with the total", async () => {
    backend(SESSION_PAGE + 7);
    const store = new SessionsStore();
    await store.refresh();
    expect(store.items).toHaveLength(SESSION_PAGE);
    expect(store.total).toBe(SESSION_PAGE + 7);
    expect(store.hasMore).toBe(true);
    await store.loadMore();
    expect(store.items).toHaveLength(SESSION_PAGE + 7);
    expect(store.hasMore).toBe(false);
  });

  it("creates a session first in the list and selects it", async () => {
    backend(2);
    const store = new SessionsStore();
    await store.refresh();
    const created = await store.create({ name: "Fresh" });
    expect(store.items[0].name).toBe("Fresh");
    expect(store.selectedId).toBe(created?.id);
    expect(store.selected?.name).toBe("Fresh");
    expect(store.total).toBe(3);
  });

  it("renames, and keeps the error code when a rename is refused", async () => {
    backend(2);
    const store = new SessionsStore();
    await store.refresh();
    expect(await store.rename(store.items[0].id, "Renamed")).toBe(true);
    expect(store.items[0].name).toBe("Renamed");
    expect(await store.rename(store.items[0].id, "  ")).toBe(false);
    expect(store.error?.code).toBe("INVALID_INPUT");
    expect(store.items[0].name).toBe("Renamed");
  });

  it("deletes the selected session and clears the selection", async () => {
    backend(3);
    const store = new SessionsStore();
    await store.refresh();
    const id = store.items[1].id;
    store.select(id);
    expect(await store.remove(id)).toBe(true);
    expect(store.items.map((s) => s.id)).not.toContain(id);
    expect(store.total).toBe(2);
    expect(store.selectedId).toBeNull();
  });

  it("drops a session that vanished elsewhere when the backend says NOT_FOUND", async () => {
    const fake = backend(3);
    const store = new SessionsStore();
    await store.refresh();
    const id = store.items[0].id;
    store.select(id);
    fake.remove(id);
    expect(await store.rename(id, "x")).toBe(false);
    expect(store.error?.code).toBe("NOT_FOUND");
    expect(store.items.map((s) => s.id)).not.toContain(id);
    expect(store.selectedId).toBeNull();
  });

  it("filters by name, keeps the open chat open, and pages within the filter", async () => {
    const { calls } = backend(SESSION_PAGE * 3);
    const store = new SessionsStore();
    await store.refresh();
    store.select(store.items[0].id);
    await store.setFilter(" s1 ");
    expect(store.filter).toBe("s1");
    expect(store.items.length).toBeGreaterThan(0);
    expect(store.items.every((s) => s.name.includes("s1"))).toBe(true);
    expect(store.total).toBe(Array.from({ length: SESSION_PAGE * 3 }, (_, i) => `s${i}`).filter((n) => n.includes("s1")).length);
    expect(store.selectedId).not.toBeNull();
    // What was said around the match is kept for the row; another page adds its own.
    expect(store.found).toEqual({ [store.items[0].id]: "…said s1 there…" });
    await store.loadMore();
    expect(calls.at(-1)?.args).toMatchObject({ filter: "s1" });
    expect(Object.keys(store.found).length).toBe(2);
    await store.setFilter("");
    expect(store.total).toBe(SESSION_PAGE * 3);
    expect(store.found).toEqual({});
  });

  it("moves a session to the top when it gets a message", async () => {
    backend(3);
    const store = new SessionsStore();
    await store.refresh();
    const last = store.items[2];
    store.touch(last.id, "2026-03-01T00:00:00Z");
    expect(store.items[0].id).toBe(last.id);
    expect(store.items[0].last_updated_at).toBe("2026-03-01T00:00:00Z");
    expect(store.items).toHaveLength(3);
  });

  it("shows one session as the backend has it now, and keeps it when that fails", async () => {
    const { remove } = backend(3);
    const store = new SessionsStore();
    await store.refresh();
    const first = store.items[0];
    await store.rename(first.id, "Bees");
    store.items = store.items.map((s) => (s.id === first.id ? { ...s, name: "stale" } : s));
    await store.reloadOne(first.id);
    expect(store.items[0].name).toBe("Bees");
    remove(first.id);
    await store.reloadOne(first.id);
    expect(store.items[0].name, "a failed reload changes nothing").toBe("Bees");
    expect(store.error).toBeNull();
  });
});

describe("ChatStore", () => {
  it("opens a session, streams answers, keeps messages in order, and refuses empty ones", async () => {
    const chat = new ChatStore();
    const streamed: (string | null)[] = [];
    const loading: unknown[] = [];
    backend(
      1,
      () => streamed.push(chat.streaming),
      () => loading.push(chat.loadingModel),
    );
    const id = makeSession(0).id;
    await chat.open(id);
    expect(chat.messages).toEqual([]);
    expect(await chat.send("first")).toBe(true);
    expect(await chat.send("second")).toBe(true);
    expect(streamed).toEqual(["An answer [1]", "An answer [1]"]);
    expect(loading).toEqual([
      { model: "tiny", progress: 0.4 },
      { model: "tiny", progress: 0.4 },
    ]);
    expect(chat.loadingModel).toBeNull();
    expect(chat.messages.map((m) => `${m.role}: ${m.content}`)).toEqual([
      "user: first",
      "assistant: An answer [1]",
      "user: second",
      "assistant: An answer [1]",
    ]);
    expect(chat.streaming).toBeNull();
    expect(await chat.send("   ")).toBe(false);
    expect(chat.messages).toHaveLength(4);

    const reopened = new ChatStore();
    await reopened.open(id);
    expect(reopened.messages).toHaveLength(4);
  });

  it("keeps the error code when the backend refuses a message", async () => {
    fakeBackend({
      list_messages: () => [],
      send_message: () => {
        throw { code: "NOT_FOUND", message: "session gone was not found" };
      },
    });
    const chat = new ChatStore();
    await chat.open("gone");
    expect(await chat.send("hello")).toBe(false);
    expect(chat.error?.code).toBe("NOT_FOUND");
    expect(chat.messages).toEqual([]);
    expect(chat.sending).toBe(false);
  });

  it("shows the kept question when the language model is down, and retries it", async () => {
    const stored: ChatMessageDto[] = [];
    const question: ChatMessageDto = {
      id: 1,
      session_id: "s",
      timestamp: "2026-02-01T00:00:00Z",
      role: "user",
      content: "hello?",
      record: null,
    };
    const calls = fakeBackend({
      list_messages: () => stored,
      send_message: () => {
        stored.push(question);
        throw { code: "LLM_UNAVAILABLE", message: "the language model server cannot be reached" };
      },
      retry_turn: () => {
        const answer = { ...question, id: 2, role: "assistant", content: "Hi." };
        stored.push(answer as ChatMessageDto);
        return { user: question, assistant: answer };
      },
    });
    const chat = new ChatStore();
    await chat.open("s");
    expect(await chat.send("hello?")).toBe(true);
    expect(chat.error?.code).toBe("LLM_UNAVAILABLE");
    expect(chat.messages.map((m) => m.content)).toEqual(["hello?"]);
    expect(await chat.retry()).toBe(true);
    expect(chat.error).toBeNull();
    expect(chat.messages.map((m) => m.content)).toEqual(["hello?", "Hi."]);
    expect(calls.map((c) => c.cmd)).toContain("retry_turn");
  });

  it("on a full disk keeps the draft when the question was not stored, and offers the stored one again", async () => {
    const stored: ChatMessageDto[] = [];
    let storeTheQuestion = false;
    fakeBackend({
      list_messages: () => stored,
      send_message: (args) => {
        if (storeTheQuestion) {
          stored.push({ id: 1, session_id: "s", timestamp: "2026-02-01T00:00:00Z", role: "user", content: String(args?.content), record: null });
        }
        throw { code: "DISK_FULL", message: "The disk is full: free some space, then try again" };
      },
    });
    const chat = new ChatStore();
    await chat.open("s");
    // Nothing was saved: the composer keeps the draft.
    expect(await chat.send("hello?")).toBe(false);
    expect(chat.error?.code).toBe("DISK_FULL");
    expect(chat.messages).toEqual([]);
    // The question was saved, its answer was not: it is shown, for a retry.
    storeTheQuestion = true;
    expect(await chat.send("hello?")).toBe(true);
    expect(chat.error?.code).toBe("DISK_FULL");
    expect(chat.messages.map((m) => m.content)).toEqual(["hello?"]);
  });
});
