import { describe, expect, it } from "vitest";
import { percent } from "./format";

describe("percent", () => {
  it("rounds a share to a whole percentage and says when there is none", () => {
    expect(percent(0.936)).toBe("94%");
    expect(percent(1)).toBe("100%");
    expect(percent(null)).toBe("unknown");
  });
});
