import { describe, expect, it } from "vitest";
import { fakeBackend, sourceRecord, turnRecord } from "../test-ipc";
import { sendMessage, sourcesOf, stopTurn } from "./chat";

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

  it("reads the sources an answer cites from its record, not the ones the budget dropped", () => {
    const sources = [sourceRecord(1), sourceRecord(2)];
    const dropped = [{ ...sourceRecord(3), n: null }];
    expect(sourcesOf({ record: turnRecord({ sources, dropped_sources: dropped }) })).toEqual(sources);
    expect(sourcesOf({ record: null })).toEqual([]);
  });
});
