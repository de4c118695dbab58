import { SvelteMap } from "svelte/reactivity";
import * as api from "../api/documents";
import type { DocumentDto, DocumentProgressDto } from "../api/documents";
import type { SessionDto } from "../api/sessions";
import { ApiError, asApiError, guarded } from "../api/invoke";

/** Documents asked for at a time (the backend's largest page). */
export const DOCUMENT_PAGE = 1000;

/** A file the backend refused outright (unsupported type, too large, unreadable). */
export interface Rejected {
  path: string;
  message: string;
}

/** About how much of a file of each type is text (the rest is markup, fonts, images,
 * compression), measured on twenty Debian documentation files: HTML 0.21–0.85 (median 0.59),
 * PDF 0.13–0.25, text and Markdown 1. Embedding the text is most of the work, so a file's work is
 * its size times this; the rate learnt from the files done so far absorbs the rest. */
const TEXT_SHARE: Record<string, number> = { text: 1, markdown: 1, html: 0.55, pdf: 0.22, docx: 0.5 };

/** A document's work, in bytes of text it is expected to hold. */
function workOf(d: DocumentDto): number {
  return d.size_bytes * (TEXT_SHARE[d.doc_type] ?? 0.5);
}

/** No work under way. */
function idleRun() {
  return { started: 0, doneBytes: 0, finished: new Set<string>(), firstDoneAt: 0, firstDoneBytes: 0 };
}

/** The statuses of a document still to be processed. */
const WAITING: string[] = ["queued", "extracting", "embedding"];

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
  /** The current run of work (from the first document taken off an idle queue until none is
   * left): when it began and when its first document was done (ms), the bytes of the documents
   * it finished, once each. Time left is estimated from its rate. */
  private run = $state(idleRun());

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
    if (this.run.started === 0) this.run = { ...idleRun(), started: Date.now() };
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
      // The end of a document is reported twice (by the pipeline, then by the worker): its bytes
      // count once.
      if (!this.run.finished.has(p.document_id)) {
        this.run.finished.add(p.document_id);
        this.run.doneBytes += known ? workOf(known) : 0;
        if (this.run.firstDoneAt === 0) this.run = { ...this.run, firstDoneAt: Date.now(), firstDoneBytes: this.run.doneBytes };
      }
      this.progress.delete(p.document_id);
      if (![...this.byId.values()].some((d) => WAITING.includes(d.status))) this.run = idleRun();
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

  /** A document's status now: its live progress, else what the list last loaded. */
  statusOf(doc: DocumentDto): string {
    return this.progress.get(doc.id)?.status ?? this.byId.get(doc.id)?.status ?? doc.status;
  }

  /** Seconds left for a document being embedded, from its rate so far (null until known). */
  eta(id: string, now = Date.now()): number | null {
    const p = this.progress.get(id);
    if (!p || p.status !== "embedding" || p.chunks_done <= p.doneAtSince) return null;
    const rate = (p.chunks_done - p.doneAtSince) / ((now - p.since) / 1000);
    return rate > 0 ? Math.ceil((p.chunks_total - p.chunks_done) / rate) : null;
  }

  /** Seconds until every one of `docs` is processed, from the rate of this run of work so far
   * (the finished documents' work, see `workOf`, and the part of the current one already
   * embedded); null while nothing is waiting or there is too little to go on. */
  timeLeft(docs: DocumentDto[], now = Date.now()): number | null {
    const waiting = docs.filter((d) => WAITING.includes(this.statusOf(d)));
    if (waiting.length === 0 || this.run.started === 0) return null;
    const doneOf = (d: DocumentDto) => {
      const p = this.progress.get(d.id);
      return p && p.status === "embedding" && p.chunks_total > 0 ? (workOf(d) * p.chunks_done) / p.chunks_total : 0;
    };
    const inProgress = [...this.byId.values()].reduce((sum, d) => sum + doneOf(d), 0);
    // The first document pays for starting up (the models load, the reader starts): once it is
    // done, the rate is measured from then on.
    const { started, doneBytes, firstDoneAt, firstDoneBytes } = this.run;
    const warm = firstDoneAt > 0 && now - firstDoneAt >= 2000 && doneBytes - firstDoneBytes + inProgress > 0;
    const seconds = (now - (warm ? firstDoneAt : started)) / 1000;
    const rate = (doneBytes - (warm ? firstDoneBytes : 0) + inProgress) / seconds;
    if (seconds < 2 || rate <= 0) return null;
    const left = waiting.reduce((sum, d) => sum + workOf(d) - doneOf(d), 0);
    return left / rate;
  }

  private guard<T>(work: () => Promise<T>): Promise<T | null> {
    return guarded(work, (error) => (this.error = error));
  }
}
