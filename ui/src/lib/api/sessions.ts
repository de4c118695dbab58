import { call } from "./invoke";
import type { CreateSessionRequest } from "./bindings/CreateSessionRequest";
import type { SessionDto } from "./bindings/SessionDto";
import type { SessionPageDto } from "./bindings/SessionPageDto";
import type { ScopeDto } from "./bindings/ScopeDto";
import type { ImportedDto } from "./bindings/ImportedDto";

export type { SessionDto, SessionPageDto, CreateSessionRequest, ScopeDto, ImportedDto };

export const createSession = (request: CreateSessionRequest = {}) =>
  call<SessionDto>("create_session", { request });

/** Sessions, most recently active first; `filter` keeps those whose name contains it. */
export const listSessions = (limit: number, offset: number, filter = "") =>
  call<SessionPageDto>("list_sessions", filter ? { limit, offset, filter } : { limit, offset });

export const getSession = (id: string) => call<SessionDto>("get_session", { id });

export const renameSession = (id: string, name: string) =>
  call<SessionDto>("rename_session", { id, name });

export const deleteSession = (id: string) => call<null>("delete_session", { id });

/** Sets what a chat searches, from its next question. */
export const setSessionScope = (id: string, scope: ScopeDto) => call<SessionDto>("set_session_scope", { id, scope });

/** Writes chats (every chat when `ids` is empty) to `path` as Markdown or JSON; how many. */
export const exportSessions = (ids: string[], format: "md" | "json", path: string) =>
  call<number>("export_sessions", { ids, format, path });

/** Imports a JSON export's chats as new chats. */
export const importSessions = (path: string) => call<ImportedDto>("import_sessions", { path });

/** The person's tags for a chat (kept from then on); none: tagged automatically again. */
export const setSessionTags = (id: string, tags: string[]) => call<SessionDto>("set_session_tags", { id, tags });
