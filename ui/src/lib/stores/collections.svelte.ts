import * as api from "../api/collections";
import type { CollectionDto } from "../api/collections";
import { type ApiError, guarded } from "../api/invoke";

/** The library's collections (named sets of documents), by name. */
export class CollectionsStore {
  list = $state<CollectionDto[]>([]);
  error = $state<ApiError | null>(null);

  byId(id: string | null | undefined): CollectionDto | undefined {
    return this.list.find((c) => c.id === id);
  }

  async refresh(): Promise<void> {
    await this.guard(async () => {
      this.list = await api.listCollections();
    });
  }

  /** Adds documents to the collection called `name` (ignoring case), made if there is none. */
  async addTo(name: string, documentIds: string[]): Promise<CollectionDto | null> {
    const existing = this.list.find((c) => c.name.toLowerCase() === name.trim().toLowerCase());
    return this.guard(async () => {
      const saved = existing
        ? await api.addToCollection(existing.id, documentIds)
        : await api.createCollection(name, documentIds);
      await this.refresh();
      return saved;
    });
  }

  async remove(id: string, documentIds: string[]): Promise<void> {
    await this.guard(async () => {
      await api.removeFromCollection(id, documentIds);
      await this.refresh();
    });
  }

  async delete(id: string): Promise<void> {
    await this.guard(async () => {
      await api.deleteCollection(id);
      await this.refresh();
    });
  }

  private guard<T>(work: () => Promise<T>): Promise<T | null> {
    return guarded(work, (error) => (this.error = error));
  }
}
