import { describe, expect, it } from "vitest";
import { highlight } from "./highlight";

describe("highlight", () => {
  it("marks the query's words, whatever their case, and nothing else", () => {
    expect(highlight("Spring tides come at new and full moon; TIDES are large.", "spring tides?")).toEqual([
      { text: "Spring", matched: true },
      { text: " ", matched: false },
      { text: "tides", matched: true },
      { text: " come at new and full moon; ", matched: false },
      { text: "TIDES", matched: true },
      { text: " are large.", matched: false },
    ]);
  });

  it("treats the query as words, never as a pattern", () => {
    expect(highlight("a (b) c", ".*")).toEqual([{ text: "a (b) c", matched: false }]);
    expect(highlight("cost $100", "$100 cost")).toEqual([
      { text: "cost", matched: true },
      { text: " $", matched: false },
      { text: "100", matched: true },
    ]);
  });
});
