import { describe, expect, it } from "vitest";
import type { DocumentDto } from "./api/documents";
import type { SessionDto } from "./api/sessions";
import { documentsLine, duration, scopeText } from "./scope";

const doc = (id: string, status: DocumentDto["status"] = "ready"): DocumentDto => ({
  id,
  name: `${id}.pdf`,
  original_path: null,
  doc_type: "pdf",
  size_bytes: 1000,
  pages: 1,
  status,
  error: null,
  chunk_count: 1,
  created_at: "",
  updated_at: "",
  ocr_pages: 0,
  ocr_confidence: null,
});
const session = (scope: SessionDto["scope"], own: string[] = []): SessionDto => ({
  id: "s",
  name: "chat",
  created_at: "",
  last_updated_at: "",
  llm_model_name: "",
  model_choice: null,
  metadata_tags: [],
  tags_by_person: false,
  rag_document_ids: own,
  scope,
});

describe("scope in words", () => {
  const library = new Map(["a", "b", "c"].map((id) => [id, doc(id)]));
  library.set("x", doc("x", "failed"));
  const collections = [{ id: "r", name: "R manuals", created_at: "", document_ids: ["a", "b"] }];

  it("counts the library without failed documents", () => {
    expect(scopeText(session({ kind: "library" }), library, collections)).toBe("All 3 documents");
  });
  it("names a collection and the chat's documents outside it", () => {
    expect(scopeText(session({ kind: "collection", collection_id: "r" }), library, collections)).toBe(
      "Collection: R manuals (2)",
    );
    expect(scopeText(session({ kind: "collection", collection_id: "r" }, ["a", "c"]), library, collections)).toBe(
      "Collection: R manuals (2) + 1 document",
    );
  });
  it("counts chosen documents still in the library", () => {
    expect(scopeText(session({ kind: "documents" }, ["a", "b", "gone"]), library, collections)).toBe("2 documents");
    expect(scopeText(session({ kind: "documents" }), library, collections)).toBe("No documents");
  });
  it("says a chat's documents in one line", () => {
    const docs = [doc("a"), doc("b", "embedding"), doc("c", "failed")];
    expect(documentsLine(docs, (d) => d.status, 40)).toBe("3 documents · 1 ready · 1 failed · about 40 s left");
    expect(documentsLine([doc("a")], (d) => d.status, null)).toBe("1 document");
    expect(duration(150)).toBe("3 min");
    expect([duration(3.2), duration(42), duration(96)]).toEqual(["3 s", "40 s", "95 s"]);
  });
});
