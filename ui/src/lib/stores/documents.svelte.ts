import { SvelteMap } from "svelte/reactivity";
import * as api from "../api/documents";
import type { DocumentDto, DocumentProgressDto } from "../api/documents";
import type { SessionDto } from "../api/sessions";
import { ApiError } from "../api/invoke";

/** Documents asked for at a time (the backend's largest page). */
export const DOCUMENT_PAGE = 1000;

/** A file the backend refused outright (unsupported type, too large, unreadable). */
export interface Rejected {
  path: string;
  message: string;
}

/** Progress of a document still being processed, with what an ETA needs. */
export interface Working extends DocumentProgressDto {
  /** When this stage's chunk count was first seen (ms), and how many chunks were done then. */
  since: number;
  doneAtSince: number;
}

/** The library's documents as the window shows them: statuses, live progress, refusals. */
export class DocumentsStore {
  byId = new SvelteMap<string, DocumentDto>();
  progress = new SvelteMap<string, Working>();
  rejected = $state<Rejected[]>([]);
  /** Documents added while no chat was open, newest last: the welcome screen offers a chat
   * with them. */
  unattached = $state<string[]>([]);
  error = $state<ApiError | null>(null);

  /** Loads every document, a page at a time (their statuses survive restarts: the database has
   * them). None is left out, however large the library. */
  async refresh(): Promise<void> {
    try {
      const all: DocumentDto[] = [];
      for (;;) {
        const page = await api.listDocuments(DOCUMENT_PAGE, all.length);
        all.push(...page.items);
        if (page.items.length < DOCUMENT_PAGE || all.length >= page.total) break;
      }
      this.byId.clear();
      for (const d of all) this.byId.set(d.id, d);
      this.error = null;
    } catch (e) {
      this.error = asApiError(e);
    }
  }

  /** Follows the worker's progress events until the returned function is called. */
  async follow(): Promise<() => void> {
    return api.onProgress((p) => void this.onProgress(p));
  }

  private async onProgress(p: DocumentProgressDto): Promise<void> {
    const previous = this.progress.get(p.document_id);
    const sameStage = previous && previous.status === p.status && previous.chunks_total === p.chunks_total;
    this.progress.set(p.document_id, {
      ...p,
      since: sameStage ? previous.since : Date.now(),
      doneAtSince: sameStage ? previous.doneAtSince : p.chunks_done,
    });
    const known = this.byId.get(p.document_id);
    if (known) this.byId.set(p.document_id, { ...known, status: p.status });
    if (["ready", "failed", "cancelled"].includes(p.status)) {
      this.progress.delete(p.document_id);
      await this.reload(p.document_id);
    }
  }

  private async reload(id: string): Promise<void> {
    try {
      const detail = await api.getDocument(id, 1, 0);
      this.byId.set(id, detail.document);
    } catch (e) {
      if (e instanceof ApiError && e.code === "NOT_FOUND") this.byId.delete(id);
    }
  }

  /** Adds files (as dropped) and, when a chat is open, attaches them to it. Returns the chat as
   * it is now, if it changed. Files the backend refuses are listed in `rejected`. */
  async add(paths: string[], sessionId: string | null): Promise<SessionDto | null> {
    if (paths.length === 0) return null;
    try {
      const results = await api.addDocuments(paths);
      this.rejected = results
        .filter((r) => r.error)
        .map((r) => ({ path: r.path, message: r.error?.message ?? "" }));
      const added = results.flatMap((r) => (r.document ? [r.document] : []));
      for (const d of added) this.byId.set(d.id, d);
      this.error = null;
      if (!sessionId) this.unattached = [...new Set([...this.unattached, ...added.map((d) => d.id)])];
      if (sessionId && added.length > 0) {
        return await api.attachDocuments(
          sessionId,
          added.map((d) => d.id),
        );
      }
    } catch (e) {
      this.error = asApiError(e);
    }
    return null;
  }

  async detach(sessionId: string, documentId: string): Promise<SessionDto | null> {
    return this.guard(() => api.detachDocument(sessionId, documentId));
  }

  async attach(sessionId: string, documentIds: string[]): Promise<SessionDto | null> {
    return this.guard(() => api.attachDocuments(sessionId, documentIds));
  }

  async retry(id: string): Promise<void> {
    const d = await this.guard(() => api.retryDocument(id));
    if (d) this.byId.set(d.id, d);
  }

  async cancel(id: string): Promise<void> {
    const d = await this.guard(() => api.cancelDocument(id));
    if (d) {
      this.byId.set(d.id, d);
      this.progress.delete(d.id);
    }
  }

  /** Seconds left for a document being embedded, from its rate so far (null until known). */
  eta(id: string, now = Date.now()): number | null {
    const p = this.progress.get(id);
    if (!p || p.status !== "embedding" || p.chunks_done <= p.doneAtSince) return null;
    const rate = (p.chunks_done - p.doneAtSince) / ((now - p.since) / 1000);
    return rate > 0 ? Math.ceil((p.chunks_total - p.chunks_done) / rate) : null;
  }

  private async guard<T>(work: () => Promise<T>): Promise<T | null> {
    try {
      const value = await work();
      this.error = null;
      return value;
    } catch (e) {
      this.error = asApiError(e);
      return null;
    }
  }
}

function asApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError("INTERNAL", String(e));
}
