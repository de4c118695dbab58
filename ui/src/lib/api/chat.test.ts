import { describe, expect, it } from "vitest";
import { fakeBackend } from "../test-ipc";
import { sendMessage, sourcesOf, stopTurn, withCitations, type SourceRef } from "./chat";

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

  it("cuts an answer into text and citations of sources it has", () => {
    const sources = [source(1), source(2)];
    expect(withCitations("See [1] and [2]; [7] is not a source.", sources)).toEqual([
      { text: "See " },
      { cite: sources[0] },
      { text: " and " },
      { cite: sources[1] },
      { text: "; [7] is not a source." },
    ]);
    expect(sourcesOf({ sources })).toEqual(sources);
    expect(sourcesOf({})).toEqual([]);
  });
});
