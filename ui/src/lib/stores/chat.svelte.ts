import { ApiError, asApiError } from "../api/invoke";
import * as chat from "../api/chat";
import * as api from "../api/messages";
import type { ChatMessageDto } from "../api/messages";

/** The open session's messages, oldest first, the answer streaming in, and the turn's state. */
export class ChatStore {
  sessionId = $state<string | null>(null);
  messages = $state<ChatMessageDto[]>([]);
  loading = $state(false);
  sending = $state(false);
  /** The question being answered, shown until the stored one comes back. */
  pendingQuestion = $state<string | null>(null);
  /** The answer so far, while it streams. */
  streaming = $state<string | null>(null);
  /** The chat's model while it loads (before the first token), with how far it got (0 to 1). */
  loadingModel = $state<{ model: string; progress: number } | null>(null);
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
      await this.reload(sessionId);
    } catch (e) {
      if (this.sessionId === sessionId) this.error = asApiError(e);
    } finally {
      if (this.sessionId === sessionId) this.loading = false;
    }
  }

  private async reload(sessionId: string): Promise<void> {
    const messages = await api.listMessages(sessionId);
    if (this.sessionId === sessionId) this.messages = messages;
  }

  /** Asks a question: the answer streams into `streaming`, then both stored messages are
   * shown. Returns whether the question was taken (the composer keeps the draft otherwise). */
  async send(content: string): Promise<boolean> {
    const sessionId = this.sessionId;
    if (!sessionId || this.sending || content.trim() === "") return false;
    this.pendingQuestion = content;
    return this.turn(sessionId, (onEvent) => chat.sendMessage(sessionId, content, onEvent));
  }

  /** Answers the last question again after the language model failed. */
  async retry(): Promise<boolean> {
    const sessionId = this.sessionId;
    if (!sessionId || this.sending) return false;
    return this.turn(sessionId, (onEvent) => chat.retryTurn(sessionId, onEvent));
  }

  /** Stops the answer streaming in; what came so far is kept. */
  async stop(): Promise<void> {
    if (this.sessionId && this.sending) await chat.stopTurn(this.sessionId).catch(() => {});
  }

  private async turn(
    sessionId: string,
    run: (onEvent: (event: chat.TurnEventDto) => void) => Promise<chat.ChatReplyDto>,
  ): Promise<boolean> {
    this.sending = true;
    this.error = null;
    this.streaming = "";
    try {
      await run((event) => {
        if (this.sessionId !== sessionId) return;
        if (event.kind === "loading") {
          this.loadingModel = { model: event.model, progress: event.progress };
        } else {
          this.loadingModel = null;
          this.streaming = (this.streaming ?? "") + event.text;
        }
      });
      await this.reload(sessionId);
      return true;
    } catch (e) {
      const error = asApiError(e);
      if (this.sessionId === sessionId) this.error = error;
      // The question is stored even when the model failed: show it, with a way to retry.
      if (error.code === "LLM_UNAVAILABLE") {
        await this.reload(sessionId).catch(() => {});
        return true;
      }
      // A full disk may have stopped the question itself or only its answer: when the question
      // was stored, it is shown and retried once there is space; otherwise the draft is kept.
      if (error.code === "DISK_FULL") {
        const question = this.pendingQuestion;
        await this.reload(sessionId).catch(() => {});
        const last = this.messages.at(-1);
        return question !== null && last?.role === "user" && last.content === question;
      }
      return false;
    } finally {
      this.sending = false;
      this.streaming = null;
      this.loadingModel = null;
      this.pendingQuestion = null;
    }
  }
}

