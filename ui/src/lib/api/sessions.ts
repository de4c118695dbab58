import { call } from "./invoke";
import type { CreateSessionRequest } from "./bindings/CreateSessionRequest";
import type { SessionDto } from "./bindings/SessionDto";
import type { SessionPageDto } from "./bindings/SessionPageDto";
import type { ScopeDto } from "./bindings/ScopeDto";

export type { SessionDto, SessionPageDto, CreateSessionRequest, ScopeDto };

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
