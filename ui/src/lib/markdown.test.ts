import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./markdown";

function dom(html: string): HTMLElement {
  const div = document.createElement("div");
  div.innerHTML = html;
  return div;
}

describe("renderMarkdown", () => {
  it("renders code, lists and tables", () => {
    const out = dom(renderMarkdown("**bold**\n\n- one\n- two\n\n```rust\nfn main() {}\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |"));
    expect(out.querySelector("strong")?.textContent).toBe("bold");
    expect(out.querySelectorAll("li")).toHaveLength(2);
    expect(out.querySelector("pre code")?.textContent).toBe("fn main() {}\n");
    expect(out.querySelector("table td")?.textContent).toBe("1");
  });

  it("keeps nothing that runs, loads or navigates", () => {
    const hostile = [
      "<script>window.hacked = 1</script>",
      '<img src="https://example.com/x.png" onerror="window.hacked = 2">',
      "[click me](javascript:window.hacked=3)",
      '<a href="javascript:alert(1)">raw</a>',
      '<iframe src="https://example.com"></iframe>',
      '<p onclick="window.hacked = 4" style="position:fixed">text</p>',
      '<form action="https://example.com"><button>go</button></form>',
    ].join("\n\n");
    const html = renderMarkdown(hostile);
    const out = dom(html);
    expect(out.querySelector("script, img, iframe, form, button, [onclick], [onerror], [style]")).toBeNull();
    for (const a of out.querySelectorAll("a")) expect(a.getAttribute("href") ?? "").not.toMatch(/javascript/i);
    expect(html).not.toMatch(/onerror|onclick|javascript:/i);
    expect(out.textContent).toContain("text");
  });

  it("keeps ordinary links, to be opened in the system browser", () => {
    const out = dom(renderMarkdown("See [the docs](https://tauri.app/)."));
    expect(out.querySelector("a")?.getAttribute("href")).toBe("https://tauri.app/");
  });

  it("turns [n] into a citation only for sources the answer has", () => {
    const out = dom(renderMarkdown("Tides [1] and moons [2], not [9]; a [link](https://x.org)", [1, 2]));
    expect([...out.querySelectorAll("[data-cite]")].map((c) => c.getAttribute("data-cite"))).toEqual(["1", "2"]);
    expect(out.textContent).toContain("not [9]");
    expect(out.querySelector("a")?.textContent).toBe("link");
  });
});
