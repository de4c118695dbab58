import { call } from "./invoke";
import type { CollectionDto } from "./bindings/CollectionDto";

export type { CollectionDto };

/** Every collection, by name. */
export const listCollections = () => call<CollectionDto[]>("list_collections");

export const createCollection = (name: string, documentIds: string[]) =>
  call<CollectionDto>("create_collection", { name, documentIds });

export const renameCollection = (id: string, name: string) => call<CollectionDto>("rename_collection", { id, name });

export const addToCollection = (id: string, documentIds: string[]) =>
  call<CollectionDto>("add_to_collection", { id, documentIds });

export const removeFromCollection = (id: string, documentIds: string[]) =>
  call<CollectionDto>("remove_from_collection", { id, documentIds });

/** Deletes a collection (its documents stay); chats limited to it then search the whole library. */
export const deleteCollection = (id: string) => call<null>("delete_collection", { id });
