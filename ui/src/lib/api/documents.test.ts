import { emit } from "@tauri-apps/api/event";
import { describe, expect, it } from "vitest";
import { fakeBackend } from "../test-ipc";
import {
  addDocuments,
  attachDocuments,
  cancelDocument,
  deleteDocument,
  detachDocument,
  getDocument,
  listDocuments,
  onProgress,
  PROGRESS_EVENT,
  rebuildIndex,
  retryDocument,
  search,
  type DocumentProgressDto,
} from "./documents";

const id = "0b6f3f5e-2c55-4b8e-a3c4-5f1b9d0e7a21";
const session = "5f0c7a53-6c1e-4f5e-9c39-1e5d2a8b0c11";

describe("document api wrappers", () => {
  it("send the argument names the Rust commands expect", async () => {
    const calls = fakeBackend({
      add_documents: () => [],
      list_documents: () => ({ items: [], total: 0 }),
      get_document: () => ({ document: {}, chunks: [] }),
      delete_document: () => null,
      cancel_document: () => ({}),
      retry_document: () => ({}),
      rebuild_index: () => 3,
      search: () => [],
      attach_documents: () => ({}),
      detach_document: () => ({}),
    });
    await addDocuments(["/home/me/a.pdf", "/home/me/b.docx"]);
    await listDocuments(50, 0);
    await getDocument(id, 100, 0);
    await deleteDocument(id);
    await cancelDocument(id);
    await retryDocument(id);
    expect(await rebuildIndex()).toBe(3);
    await search({ query: "tides", k: 5, document_ids: [id], mode: "keyword" });
    await attachDocuments(session, [id]);
    await detachDocument(session, id);
    expect(calls).toEqual([
      { cmd: "add_documents", args: { paths: ["/home/me/a.pdf", "/home/me/b.docx"] } },
      { cmd: "list_documents", args: { limit: 50, offset: 0 } },
      { cmd: "get_document", args: { id, limit: 100, offset: 0 } },
      { cmd: "delete_document", args: { id } },
      { cmd: "cancel_document", args: { id } },
      { cmd: "retry_document", args: { id } },
      { cmd: "rebuild_index", args: {} },
      { cmd: "search", args: { request: { query: "tides", k: 5, document_ids: [id], mode: "keyword" } } },
      { cmd: "attach_documents", args: { sessionId: session, documentIds: [id] } },
      { cmd: "detach_document", args: { sessionId: session, documentId: id } },
    ]);
  });

  it("deliver progress events until unlistened", async () => {
    fakeBackend({});
    const seen: DocumentProgressDto[] = [];
    const stop = await onProgress((p) => seen.push(p));
    const update = { document_id: id, name: "a.pdf", status: "embedding", chunks_done: 4, chunks_total: 10 };
    await emit(PROGRESS_EVENT, update);
    stop();
    await emit(PROGRESS_EVENT, { ...update, chunks_done: 10, status: "ready" });
    expect(seen).toEqual([update]);
  });
});
