import { describe, expect, it } from "vitest";
import { roving } from "./roving";

function group(html: string) {
  const node = document.createElement("div");
  node.innerHTML = html;
  document.body.append(node);
  const action = roving(node);
  const tabbable = () => Array.from(node.querySelectorAll<HTMLElement>("[tabindex='0']"), (el) => el.id);
  const press = (key: string) =>
    (document.activeElement as HTMLElement).dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
  return { node, action, tabbable, press };
}

describe("one Tab stop per message", () => {
  it("leaves one control tabbable and moves between them with the arrow keys", () => {
    const { node, action, tabbable, press } = group(
      `<button id="copy">Copy</button><p>Text <span id="c1" data-cite="1">[1]</span></p><button id="src">[1] a.pdf</button>
       <div data-own-tabs><button id="inner">Zoom</button></div>`,
    );
    expect(tabbable()).toEqual(["copy"]);
    expect(node.querySelector<HTMLElement>("#inner")!.tabIndex).toBe(0); // an opened passage keeps its own stops
    node.querySelector<HTMLElement>("#copy")!.focus();
    press("ArrowRight");
    expect(document.activeElement?.id).toBe("c1");
    expect(tabbable()).toEqual(["c1"]);
    press("End");
    expect(document.activeElement?.id).toBe("src");
    press("ArrowRight");
    expect(document.activeElement?.id).toBe("copy"); // wraps around
    press("ArrowLeft");
    expect(document.activeElement?.id).toBe("src");
    action.destroy();
    node.remove();
  });

  it("keeps one stop when controls come and go", async () => {
    const { node, action, tabbable } = group(`<button id="a">A</button>`);
    node.insertAdjacentHTML("beforeend", `<button id="b">B</button>`);
    await Promise.resolve();
    expect(tabbable()).toEqual(["a"]);
    node.querySelector("#a")!.remove();
    await Promise.resolve();
    expect(tabbable()).toEqual(["b"]);
    action.destroy();
    node.remove();
  });
});
