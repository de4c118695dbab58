import { Channel } from "@tauri-apps/api/core";
import { call } from "./invoke";
import type { ChatReplyDto } from "./bindings/ChatReplyDto";
import type { TurnEventDto } from "./bindings/TurnEventDto";

export type { ChatReplyDto, TurnEventDto };

/** A source an answer cites, as stored in the assistant message's metadata. */
export interface SourceRef {
  n: number;
  chunk_id: number;
  document_id: string;
  document_name: string;
  page: number | null;
  snippet: string;
  score: number;
}

function channel(onToken: (text: string) => void): Channel<TurnEventDto> {
  const events = new Channel<TurnEventDto>();
  events.onmessage = (event) => onToken(event.text);
  return events;
}

/** Runs a chat turn; `onToken` gets the answer as it streams in. */
export const sendMessage = (sessionId: string, content: string, onToken: (text: string) => void) =>
  call<ChatReplyDto>("send_message", { sessionId, content, onEvent: channel(onToken) });

/** Answers the session's unanswered last question again (after LLM_UNAVAILABLE). */
export const retryTurn = (sessionId: string, onToken: (text: string) => void) =>
  call<ChatReplyDto>("retry_turn", { sessionId, onEvent: channel(onToken) });

/** Stops the session's running turn; the answer so far is kept. */
export const stopTurn = (sessionId: string) => call<null>("stop_turn", { sessionId });

/** The numbered sources stored with an assistant message (none for other messages). */
export function sourcesOf(metadata: Record<string, unknown>): SourceRef[] {
  const sources = metadata["sources"];
  return Array.isArray(sources) ? (sources as SourceRef[]) : [];
}
