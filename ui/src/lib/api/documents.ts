import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { call } from "./invoke";
import type { AddedDocumentDto } from "./bindings/AddedDocumentDto";
import type { DocumentDetailDto } from "./bindings/DocumentDetailDto";
import type { DocumentDto } from "./bindings/DocumentDto";
import type { DocumentPageDto } from "./bindings/DocumentPageDto";
import type { DocumentProgressDto } from "./bindings/DocumentProgressDto";
import type { SearchHitDto } from "./bindings/SearchHitDto";
import type { SearchRequest } from "./bindings/SearchRequest";
import type { SessionDto } from "./bindings/SessionDto";
import type { WatchedFolderDto } from "./bindings/WatchedFolderDto";
import type { FolderScanDto } from "./bindings/FolderScanDto";
import type { ReembeddingDto } from "./bindings/ReembeddingDto";

export type {
  AddedDocumentDto,
  DocumentDetailDto,
  DocumentDto,
  DocumentPageDto,
  DocumentProgressDto,
  SearchHitDto,
  SearchRequest,
  WatchedFolderDto,
  FolderScanDto,
  ReembeddingDto,
};

/** The event a watched folder's scan sends when it changed the library. */
export const LIBRARY_CHANGED_EVENT = "library-changed";

/** The event the ingestion worker sends as documents move through the queue. */
export const PROGRESS_EVENT = "document-progress";

/** Queues files (real paths, as a drop gives them); each path gets its own outcome. */
export const addDocuments = (paths: string[]) => call<AddedDocumentDto[]>("add_documents", { paths });

export const listDocuments = (limit: number, offset: number) =>
  call<DocumentPageDto>("list_documents", { limit, offset });

export const getDocument = (id: string, limit: number, offset: number) =>
  call<DocumentDetailDto>("get_document", { id, limit, offset });

export const deleteDocument = (id: string) => call<null>("delete_document", { id });

export const cancelDocument = (id: string) => call<DocumentDto>("cancel_document", { id });

/** Retries a failed or cancelled document, or re-indexes a ready one. */
export const retryDocument = (id: string) => call<DocumentDto>("retry_document", { id });

export const rebuildIndex = () => call<number>("rebuild_index");

export const search = (request: SearchRequest) => call<SearchHitDto[]>("search", { request });

export const attachDocuments = (sessionId: string, documentIds: string[]) =>
  call<SessionDto>("attach_documents", { sessionId, documentIds });

export const detachDocument = (sessionId: string, documentId: string) =>
  call<SessionDto>("detach_document", { sessionId, documentId });

/** Calls `handler` with every progress update until the returned function is called. */
export const onProgress = (handler: (progress: DocumentProgressDto) => void): Promise<UnlistenFn> =>
  listen<DocumentProgressDto>(PROGRESS_EVENT, (event) => handler(event.payload));

/** Watches a folder: its documents are queued now and kept in sync from then on. */
export const watchFolder = (path: string) => call<FolderScanDto>("watch_folder", { path });

export const listWatchedFolders = () => call<WatchedFolderDto[]>("list_watched_folders");

/** Stops watching a folder; its documents stay in the library. */
export const unwatchFolder = (path: string) => call<null>("unwatch_folder", { path });

/** Calls `handler` after each scan of a watched folder that changed the library. */
export const onLibraryChanged = (handler: (scan: FolderScanDto) => void): Promise<UnlistenFn> =>
  listen<FolderScanDto>(LIBRARY_CHANGED_EVENT, (event) => handler(event.payload));

/** Calls `handler` as the library is embedded again for a new embedding model. */
export const onReembedding = (handler: (progress: ReembeddingDto) => void): Promise<UnlistenFn> =>
  listen<ReembeddingDto>("reembed-progress", (event) => handler(event.payload));
