import { call } from "./invoke";
import type { AddMessageRequest } from "./bindings/AddMessageRequest";
import type { ChatMessageDto } from "./bindings/ChatMessageDto";

export type { ChatMessageDto, AddMessageRequest };

/** The most messages the backend returns in one call. */
export const MESSAGE_PAGE = 1000;

export const addMessage = (sessionId: string, request: AddMessageRequest) =>
  call<ChatMessageDto>("add_message", { sessionId, request });

export const listMessages = (sessionId: string, limit = MESSAGE_PAGE, offset = 0) =>
  call<ChatMessageDto[]>("list_messages", { sessionId, limit, offset });
