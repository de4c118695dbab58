import type { CollectionDto } from "./api/collections";
import type { DocumentDto } from "./api/documents";
import type { SessionDto } from "./api/sessions";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Documents a person counts as in the library: not the ones that failed or were cancelled. */
export function usable(docs: Iterable<DocumentDto>): DocumentDto[] {
  return [...docs].filter((d) => d.status !== "failed" && d.status !== "cancelled");
}

/** What a chat searches, in words for its header: "All 25 documents", "Collection: R manuals (7)",
 * "3 documents". */
export function scopeText(session: SessionDto, library: Map<string, DocumentDto>, collections: CollectionDto[]): string {
  const own = session.rag_document_ids.filter((id) => library.has(id));
  switch (session.scope.kind) {
    case "library": {
      const n = usable(library.values()).length;
      return n === 1 ? "The 1 document in the library" : `All ${n} documents`;
    }
    case "collection": {
      const collection = collections.find((c) => c.id === session.scope.collection_id);
      if (!collection) return "A collection";
      const extra = own.filter((id) => !collection.document_ids.includes(id)).length;
      const text = `Collection: ${collection.name} (${collection.document_ids.length})`;
      return extra > 0 ? `${text} + ${plural(extra, "document")}` : text;
    }
    case "documents":
      return own.length === 0 ? "No documents" : plural(own.length, "document");
  }
}

/** The chat's own documents in one line: "20 documents · 14 ready · about 40 s left". */
export function documentsLine(docs: DocumentDto[], statusOf: (d: DocumentDto) => string, secondsLeft: number | null): string {
  const ready = docs.filter((d) => statusOf(d) === "ready").length;
  const failed = docs.filter((d) => statusOf(d) === "failed").length;
  const parts = [plural(docs.length, "document")];
  if (ready < docs.length) parts.push(`${ready} ready`);
  if (failed > 0) parts.push(`${failed} failed`);
  if (secondsLeft !== null) parts.push(`about ${duration(secondsLeft)} left`);
  return parts.join(" · ");
}

/** Seconds as a person says them: "8 s", "40 s" (to 5 s from 10 s on), "3 min" (from 100 s). */
export function duration(seconds: number): string {
  if (seconds < 10) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 100) return `${Math.round(seconds / 5) * 5} s`;
  return `${Math.round(seconds / 60)} min`;
}
