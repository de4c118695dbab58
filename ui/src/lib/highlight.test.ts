import { describe, expect, it } from "vitest";
import { highlight } from "./highlight";

describe("highlight", () => {
  it("marks the query's words, whatever their case, and nothing else", () => {
    expect(highlight("Spring tides come at new and full moon; TIDES are large.", "spring tides?")).toEqual([
      { text: "Spring", match: true },
      { text: " ", match: false },
      { text: "tides", match: true },
      { text: " come at new and full moon; ", match: false },
      { text: "TIDES", match: true },
      { text: " are large.", match: false },
    ]);
  });

  it("treats the query as words, never as a pattern", () => {
    expect(highlight("a (b) c", ".*")).toEqual([{ text: "a (b) c", match: false }]);
    expect(highlight("cost $100", "$100 cost")).toEqual([
      { text: "cost", match: true },
      { text: " $", match: false },
      { text: "100", match: true },
    ]);
  });
});
