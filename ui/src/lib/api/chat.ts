import { Channel } from "@tauri-apps/api/core";
import { call } from "./invoke";
import type { ChatReplyDto } from "./bindings/ChatReplyDto";
import type { ChatMessageDto } from "./bindings/ChatMessageDto";
import type { SourceRecord } from "./bindings/SourceRecord";
import type { TurnEventDto } from "./bindings/TurnEventDto";
import type { TurnRecord } from "./bindings/TurnRecord";

export type { ChatReplyDto, SourceRecord, TurnEventDto, TurnRecord };

function channel(onEvent: (event: TurnEventDto) => void): Channel<TurnEventDto> {
  const events = new Channel<TurnEventDto>();
  events.onmessage = onEvent;
  return events;
}

/** Runs a chat turn; `onEvent` hears the chat's model loading (when it must), then the answer
 * as it streams in. */
export const sendMessage = (sessionId: string, content: string, onEvent: (event: TurnEventDto) => void) =>
  call<ChatReplyDto>("send_message", { sessionId, content, onEvent: channel(onEvent) });

/** Answers the session's unanswered last question again (after LLM_UNAVAILABLE). */
export const retryTurn = (sessionId: string, onEvent: (event: TurnEventDto) => void) =>
  call<ChatReplyDto>("retry_turn", { sessionId, onEvent: channel(onEvent) });

/** Stops the session's running turn; the answer so far is kept. */
export const stopTurn = (sessionId: string) => call<null>("stop_turn", { sessionId });

/** A source in an answer's prompt: it has the number the answer cites it by. */
export type CitedSource = SourceRecord & { n: number };

/** The numbered sources an answer cites (none for other messages). */
export function sourcesOf(message: Pick<ChatMessageDto, "record">): CitedSource[] {
  return (message.record?.sources ?? []).filter((s): s is CitedSource => s.n !== null);
}
