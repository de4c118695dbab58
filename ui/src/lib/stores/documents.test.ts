import { emit } from "@tauri-apps/api/event";
import { describe, expect, it, vi } from "vitest";
import { fakeBackend } from "../test-ipc";
import { PROGRESS_EVENT, type DocumentDto } from "../api/documents";
import { DocumentsStore } from "./documents.svelte";

const doc = (id: string, status: DocumentDto["status"], extra: Partial<DocumentDto> = {}): DocumentDto => ({
  id,
  name: `${id}.pdf`,
  original_path: `/docs/${id}.pdf`,
  doc_type: "pdf",
  size_bytes: 100,
  pages: null,
  status,
  error: null,
  chunk_count: 0,
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
  ocr_pages: 0,
  ocr_confidence: null,
  ...extra,
});

describe("DocumentsStore", () => {
  it("adds dropped files, attaches them to the open chat, and lists the refused ones", async () => {
    const calls = fakeBackend({
      add_documents: () => [
        { path: "/docs/a.pdf", document: doc("a", "queued"), existing: false, error: null },
        { path: "/docs/b.png", document: null, existing: false, error: { code: "INVALID_INPUT", message: "b.png is not a supported document type" } },
      ],
      attach_documents: ({ sessionId, documentIds }) => ({ id: sessionId, rag_document_ids: documentIds }),
    });
    const store = new DocumentsStore();
    const session = await store.add(["/docs/a.pdf", "/docs/b.png"], "s1");
    expect(session?.rag_document_ids).toEqual(["a"]);
    expect(store.byId.get("a")?.status).toBe("queued");
    expect(store.rejected).toEqual([{ path: "/docs/b.png", message: "b.png is not a supported document type" }]);
    expect(calls.map((c) => c.cmd)).toEqual(["add_documents", "attach_documents"]);

    expect(store.unattached).toEqual([]);

    const libraryOnly = await store.add(["/docs/a.pdf"], null);
    expect(libraryOnly).toBeNull();
    expect(calls.filter((c) => c.cmd === "attach_documents")).toHaveLength(1);
    await store.add(["/docs/a.pdf"], null);
    expect(store.unattached, "added with no chat open, once each").toEqual(["a"]);
  });

  it("follows progress to the end and then shows the stored document", async () => {
    fakeBackend({
      list_documents: () => ({ items: [doc("a", "queued")], total: 1 }),
      get_document: () => ({ document: doc("a", "ready", { chunk_count: 10, pages: 4 }), chunks: [] }),
    });
    const store = new DocumentsStore();
    await store.refresh();
    const stop = await store.follow();
    const base = { document_id: "a", name: "a.pdf", chunks_total: 10 };
    await emit(PROGRESS_EVENT, { ...base, status: "embedding", chunks_done: 0 });
    expect(store.progress.get("a")?.status).toBe("embedding");
    expect(store.byId.get("a")?.status).toBe("embedding");
    await emit(PROGRESS_EVENT, { ...base, status: "embedding", chunks_done: 5 });
    const started = store.progress.get("a")!.since;
    expect(store.eta("a", started + 5000)).toBe(5);
    await emit(PROGRESS_EVENT, { ...base, status: "ready", chunks_done: 10 });
    await new Promise((r) => setTimeout(r, 0));
    expect(store.progress.has("a")).toBe(false);
    expect(store.byId.get("a")).toMatchObject({ status: "ready", chunk_count: 10, pages: 4 });
    stop();
  });

  it("estimates the time left for a drop from the bytes per second so far, each document counted once", async () => {
    const sizes = [1000, 1000, 2000, 4000];
    fakeBackend({
      list_documents: () => ({ items: sizes.map((size, i) => doc(`d${i}`, "queued", { size_bytes: size })), total: 4 }),
      get_document: ({ id }) => ({ document: doc(id as string, "ready", { size_bytes: sizes[Number((id as string)[1])] }), chunks: [] }),
    });
    const store = new DocumentsStore();
    await store.refresh();
    const stop = await store.follow();
    const docs = [...store.byId.values()];
    const event = (i: number, status: string, done = 0) =>
      emit(PROGRESS_EVENT, { document_id: `d${i}`, name: `d${i}.pdf`, status, chunks_done: done, chunks_total: 10 });
    vi.useFakeTimers({ toFake: ["Date"] });
    const t0 = Date.now();
    await event(0, "extracting");
    expect(store.timeLeft(docs, t0 + 1000)).toBeNull(); // nothing to go on yet
    vi.setSystemTime(t0 + 2000);
    await event(0, "ready", 10);
    await event(0, "ready", 10); // the worker says it again
    vi.setSystemTime(t0 + 3000);
    await event(1, "embedding", 5);
    await new Promise((r) => setTimeout(r, 0));
    // Right after the first document, from the start: 1000 bytes done and half of the next 1000
    // in 3 s is 500 bytes/s, with 500 + 2000 + 4000 left.
    expect(store.timeLeft(docs, t0 + 3000)).toBeCloseTo(13, 0);
    // Later, from the first document's end (it paid for starting up): 500 bytes in 2.5 s.
    expect(store.timeLeft(docs, t0 + 4500)).toBeCloseTo(32.5, 0);
    vi.useRealTimers();
    for (const i of [1, 2, 3]) await event(i, "ready", 10);
    await new Promise((r) => setTimeout(r, 0));
    expect(store.timeLeft(docs, t0 + 9000)).toBeNull(); // all done
    stop();
  });

  it("loads every document of a library larger than one page", async () => {
    const library = Array.from({ length: 2345 }, (_, i) => doc(`d${i}`, "ready"));
    const calls = fakeBackend({
      list_documents: ({ limit, offset }) => ({
        items: library.slice(offset as number, (offset as number) + (limit as number)),
        total: library.length,
      }),
    });
    const store = new DocumentsStore();
    await store.refresh();
    expect(store.byId.size).toBe(2345);
    expect(calls.map((c) => c.args.offset)).toEqual([0, 1000, 2000]);
  });

  it("keeps the error code when the backend fails", async () => {
    fakeBackend({
      retry_document: () => {
        throw { code: "INVALID_INPUT", message: "a.pdf is already queued" };
      },
    });
    const store = new DocumentsStore();
    await store.retry("a");
    expect(store.error?.code).toBe("INVALID_INPUT");
  });
});
