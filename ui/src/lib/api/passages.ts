import { call } from "./invoke";
import type { PageBoxDto } from "./bindings/PageBoxDto";
import type { PageImageDto } from "./bindings/PageImageDto";
import type { PassageDto } from "./bindings/PassageDto";
import type { TextRunDto } from "./bindings/TextRunDto";

export type { PageBoxDto, PageImageDto, PassageDto, TextRunDto };

/** A chunk with the words of `query` (the question, or the search) marked as keyword search
 * matched them: the whole chunk, as runs of text. */
export const getPassage = (chunkId: number, query: string) => call<PassageDto>("get_passage", { chunkId, query });

/** The passage an answer cites: by its chunk id or, once its document was re-indexed, found again
 * by the words the citation quoted (then `chunk.id` differs from the one asked for). */
export const getCitedPassage = (source: { chunk_id: number; document_id: string; snippet: string }, query: string) =>
  call<PassageDto>("get_cited_passage", {
    chunkId: source.chunk_id,
    documentId: source.document_id,
    snippet: source.snippet,
    query,
  });

/** The ordinal of the first chunk on `page` (or the next page with text); null past the end. */
export const firstChunkOnPage = (documentId: string, page: number) =>
  call<number | null>("first_chunk_on_page", { documentId, page });

/** Page `page` of a PDF document drawn `width` pixels wide (CSS width × device pixel ratio). */
export const renderPage = (documentId: string, page: number, width: number) =>
  call<PageImageDto>("render_page", { documentId, page, width });
