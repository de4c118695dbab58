import { call } from "./invoke";
import type { ChatMessageDto } from "./bindings/ChatMessageDto";

export type { ChatMessageDto };

/** The most messages the backend returns in one call. */
export const MESSAGE_PAGE = 1000;

export const listMessages = (sessionId: string, limit = MESSAGE_PAGE, offset = 0) =>
  call<ChatMessageDto[]>("list_messages", { sessionId, limit, offset });
