import { describe, expect, it } from "vitest";
import { fakeBackend } from "../test-ipc";
import { sendMessage, sourcesOf, stopTurn, type SourceRef } from "./chat";

const source = (n: number): SourceRef => ({
  n,
  chunk_id: n,
  document_id: "d",
  document_name: `doc${n}.pdf`,
  page: n,
  snippet: "…",
  score: 0.03,
});

describe("chat api", () => {
  it("sends the turn with a channel and streams its pieces", async () => {
    const calls = fakeBackend({
      send_message: ({ onEvent }) => {
        (onEvent as { onmessage: (e: { text: string }) => void }).onmessage({ text: "Hi" });
        return { user: {}, assistant: {} };
      },
      stop_turn: () => null,
    });
    const pieces: string[] = [];
    await sendMessage("s1", "hello", (t) => pieces.push(t));
    await stopTurn("s1");
    expect(pieces).toEqual(["Hi"]);
    expect(calls[0]).toMatchObject({ cmd: "send_message", args: { sessionId: "s1", content: "hello" } });
    expect(calls[1]).toEqual({ cmd: "stop_turn", args: { sessionId: "s1" } });
  });

  it("reads the sources stored with an answer", () => {
    const sources = [source(1), source(2)];
    expect(sourcesOf({ sources })).toEqual(sources);
    expect(sourcesOf({})).toEqual([]);
  });
});
