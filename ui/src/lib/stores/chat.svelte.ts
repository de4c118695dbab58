import { ApiError } from "../api/invoke";
import * as api from "../api/messages";
import type { ChatMessageDto } from "../api/messages";

/** The open session's messages, oldest first, and the composer's sending state. */
export class ChatStore {
  sessionId = $state<string | null>(null);
  messages = $state<ChatMessageDto[]>([]);
  loading = $state(false);
  sending = $state(false);
  error = $state<ApiError | null>(null);

  /** Shows `sessionId`'s messages (or nothing for `null`). A late answer for a session that is no
   * longer open is dropped. */
  async open(sessionId: string | null): Promise<void> {
    this.sessionId = sessionId;
    this.messages = [];
    this.error = null;
    if (!sessionId) return;
    this.loading = true;
    try {
      const messages = await api.listMessages(sessionId);
      if (this.sessionId === sessionId) this.messages = messages;
    } catch (e) {
      if (this.sessionId === sessionId) this.error = asApiError(e);
    } finally {
      if (this.sessionId === sessionId) this.loading = false;
    }
  }

  /** Stores a user message; returns it, or `null` (and sets `error`) when it was refused. */
  async send(content: string): Promise<ChatMessageDto | null> {
    const sessionId = this.sessionId;
    if (!sessionId || this.sending || content.trim() === "") return null;
    this.sending = true;
    try {
      const message = await api.addMessage(sessionId, { content });
      if (this.sessionId === sessionId) this.messages = [...this.messages, message];
      this.error = null;
      return message;
    } catch (e) {
      this.error = asApiError(e);
      return null;
    } finally {
      this.sending = false;
    }
  }
}

function asApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError("INTERNAL", String(e));
}
