import { ApiError, asApiError } from "../api/invoke";
import * as api from "../api/sessions";
import type { SessionDto } from "../api/sessions";

/** How many sessions the sidebar asks for at a time. */
export const SESSION_PAGE = 50;

/** The sidebar's sessions: most recently active first, loaded a page at a time. */
export class SessionsStore {
  items = $state<SessionDto[]>([]);
  total = $state(0);
  selectedId = $state<string | null>(null);
  /** Only sessions whose name contains this, or whose messages hold all its words, are listed
   * ("" lists all). */
  filter = $state("");
  /** For a search: the words around the match in each found chat's messages, by session id. */
  found = $state<Record<string, string | undefined>>({});
  loading = $state(false);
  /** The last failure, for the person to read; cleared by the next success. */
  error = $state<ApiError | null>(null);

  selected = $derived(this.items.find((s) => s.id === this.selectedId) ?? null);
  hasMore = $derived(this.items.length < this.total);

  /** Reloads from the top, keeping as many rows as were shown. */
  async refresh(): Promise<void> {
    await this.guard(() => this.reload());
  }

  async loadMore(): Promise<void> {
    if (!this.hasMore || this.loading) return;
    await this.guard(async () => {
      const page = await api.listSessions(SESSION_PAGE, this.items.length, this.filter);
      const known = new Set(this.items.map((s) => s.id));
      this.items = [...this.items, ...page.items.filter((s) => !known.has(s.id))];
      this.total = page.total;
      this.found = { ...this.found, ...(page.found ?? {}) };
    });
  }

  /** Creates a session, puts it first and selects it. */
  async create(request: api.CreateSessionRequest = {}): Promise<SessionDto | null> {
    return this.guard(async () => {
      const session = await api.createSession(request);
      this.items = [session, ...this.items];
      this.total += 1;
      this.selectedId = session.id;
      return session;
    });
  }

  async rename(id: string, name: string): Promise<boolean> {
    const done = await this.guard(async () => {
      const renamed = await api.renameSession(id, name);
      this.items = this.items.map((s) => (s.id === id ? renamed : s));
      return true;
    });
    return done ?? false;
  }

  async remove(id: string): Promise<boolean> {
    const done = await this.guard(async () => {
      await api.deleteSession(id);
      this.forget(id);
      return true;
    });
    return done ?? false;
  }

  select(id: string | null): void {
    this.selectedId = id;
  }

  /** A message was added: the session is now the most recently active. */
  touch(id: string, at: string): void {
    const session = this.items.find((s) => s.id === id);
    if (!session) return;
    this.items = [{ ...session, last_updated_at: at }, ...this.items.filter((s) => s.id !== id)];
  }

  /** Shows a session as the backend has it now (it names a new chat after its first question).
   * A failure changes nothing: the list still shows the session as it was. */
  async reloadOne(id: string): Promise<void> {
    try {
      this.replace(await api.getSession(id));
    } catch {
      // The next refresh shows what is there.
    }
  }

  /** A session changed elsewhere (documents attached or detached): show the new version. */
  replace(session: SessionDto): void {
    this.items = this.items.map((s) => (s.id === session.id ? session : s));
  }

  private forget(id: string): void {
    const before = this.items.length;
    this.items = this.items.filter((s) => s.id !== id);
    this.total = Math.max(0, this.total - (before - this.items.length));
    if (this.selectedId === id) this.selectedId = null;
  }

  private async guard<T>(work: () => Promise<T>): Promise<T | null> {
    this.loading = true;
    try {
      const value = await work();
      this.error = null;
      return value;
    } catch (e) {
      const err = asApiError(e);
      this.error = err;
      // Someone else (the CLI, another window) deleted it: drop our stale copy.
      if (err.code === "NOT_FOUND") await this.refreshQuietly();
      return null;
    } finally {
      this.loading = false;
    }
  }

  private async reload(): Promise<void> {
    const page = await api.listSessions(Math.max(SESSION_PAGE, this.items.length), 0, this.filter);
    this.items = page.items;
    this.total = page.total;
    this.found = page.found ?? {};
    // A filter may hide the open chat; it stays open. Without one, a missing chat is gone.
    if (!this.filter && this.selectedId && !this.items.some((s) => s.id === this.selectedId)) this.selectedId = null;
  }

  /** Lists only the sessions whose name contains `text` or whose messages hold its words. */
  async setFilter(text: string): Promise<void> {
    this.filter = text.trim();
    await this.guard(async () => {
      const page = await api.listSessions(SESSION_PAGE, 0, this.filter);
      this.items = page.items;
      this.total = page.total;
      this.found = page.found ?? {};
    });
  }

  private async refreshQuietly(): Promise<void> {
    // The original error is already shown; a failing reload adds nothing to it.
    await this.reload().catch(() => {});
  }
}
