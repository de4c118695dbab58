import { describe, expect, it } from "vitest";
import { fakeBackend, sourceRecord, turnRecord } from "../test-ipc";
import { sendMessage, sourcesOf, stopTurn, type TurnEventDto } from "./chat";

describe("chat api", () => {
  it("sends the turn with a channel and hears the model load, then the pieces", async () => {
    const events: TurnEventDto[] = [
      { kind: "loading", model: "tiny", progress: 0.5 },
      { kind: "loading", model: "tiny", progress: 1 },
      { kind: "token", text: "Hi" },
    ];
    const calls = fakeBackend({
      send_message: ({ onEvent }) => {
        for (const e of events) (onEvent as { onmessage: (e: TurnEventDto) => void }).onmessage(e);
        return { user: {}, assistant: {} };
      },
      stop_turn: () => null,
    });
    const heard: TurnEventDto[] = [];
    await sendMessage("s1", "hello", (e) => heard.push(e));
    await stopTurn("s1");
    expect(heard).toEqual(events);
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
