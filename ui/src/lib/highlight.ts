import type { TextRunDto as TextRun } from "./api/bindings/TextRunDto";

/** Cuts `text` into runs, marking those that are a word of `query` (case-insensitive, words of
 * three letters or more), so a component can wrap matches in <mark> without building HTML. */
export function highlight(text: string, query: string): TextRun[] {
  const words = query
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 2)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  if (words.length === 0) return [{ text, matched: false }];
  const alternatives = words.join("|");
  const whole = new RegExp(`^(?:${alternatives})$`, "iu");
  return text
    .split(new RegExp(`(${alternatives})`, "giu"))
    .filter((part) => part !== "")
    .map((part) => ({ text: part, matched: whole.test(part) }));
}
