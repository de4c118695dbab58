import DOMPurify from "dompurify";
import { Marked, type TokenizerAndRendererExtension } from "marked";

/** Tags a message may never contain, even when a document or a model writes them: nothing that
 * runs, loads, embeds, submits or restyles. (Images would load remote resources.) */
const FORBID_TAGS = [
  "script", "style", "img", "picture", "video", "audio", "source", "track", "iframe", "frame", "object", "embed",
  "link", "meta", "base", "form", "input", "button", "textarea", "select", "svg", "math", "template",
];

/** `[n]` for a source the answer has, as a citation button (never a link). */
function citations(known: Set<number>): TokenizerAndRendererExtension {
  return {
    name: "citation",
    level: "inline",
    start: (src) => src.indexOf("["),
    tokenizer(src) {
      const match = /^\[(\d{1,3})\](?![(:[])/.exec(src);
      if (!match || !known.has(Number(match[1]))) return undefined;
      return { type: "citation", raw: match[0], n: Number(match[1]) };
    },
    renderer: (token) => `<span class="cite" role="button" tabindex="0" data-cite="${token.n}">[${token.n}]</span>`,
  };
}

/** A message as safe HTML: Markdown (GitHub flavour, single newlines kept) through DOMPurify.
 * `sources` are the citation numbers the message has. */
export function renderMarkdown(text: string, sources: number[] = []): string {
  const marked = new Marked({ gfm: true, breaks: true, async: false });
  marked.use({ extensions: [citations(new Set(sources))] });
  const html = marked.parse(text) as string;
  return DOMPurify.sanitize(html, {
    FORBID_TAGS,
    FORBID_ATTR: ["style", "srcset", "action", "formaction"],
    ALLOWED_URI_REGEXP: /^(?:https?|mailto):/i,
  });
}
