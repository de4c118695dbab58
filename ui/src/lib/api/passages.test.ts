import { describe, expect, it } from "vitest";
import { fakeBackend } from "../test-ipc";
import { firstChunkOnPage, getCitedPassage, getPassage } from "./passages";
import { chooseFiles } from "./files";

const doc = "0b6f3f5e-2c55-4b8e-a3c4-5f1b9d0e7a21";

describe("passage wrappers", () => {
  it("send the argument names the Rust commands expect", async () => {
    const calls = fakeBackend({
      get_passage: () => ({ chunk: {}, document_id: doc, document_name: "a.pdf", runs: [] }),
      first_chunk_on_page: (args) => (args.page === 3 ? 7 : null),
      get_cited_passage: () => ({ chunk: {}, document_id: doc, document_name: "a.pdf", runs: [] }),
    });
    await getPassage(42, "when to treat mites");
    expect(await firstChunkOnPage(doc, 3)).toBe(7);
    expect(await firstChunkOnPage(doc, 99)).toBeNull();
    await getCitedPassage({ chunk_id: 42, document_id: doc, snippet: "Treat in midwinter…" }, "mites");
    expect(calls.map((c) => [c.cmd, c.args])).toEqual([
      ["get_passage", { chunkId: 42, query: "when to treat mites" }],
      ["first_chunk_on_page", { documentId: doc, page: 3 }],
      ["first_chunk_on_page", { documentId: doc, page: 99 }],
      ["get_cited_passage", { chunkId: 42, documentId: doc, snippet: "Treat in midwinter…", query: "mites" }],
    ]);
  });
});

describe("the Add files dialog", () => {
  it("asks the dialog plugin for several documents and hands back their paths", async () => {
    const calls = fakeBackend({ "plugin:dialog|open": () => ["/home/me/a.pdf", "/home/me/b.md"] });
    expect(await chooseFiles()).toEqual(["/home/me/a.pdf", "/home/me/b.md"]);
    const options = calls[0].args.options as { multiple: boolean; directory: boolean; filters: { extensions: string[] }[] };
    expect(options.multiple).toBe(true);
    expect(options.directory).toBe(false);
    expect(options.filters[0].extensions).toEqual(expect.arrayContaining(["pdf", "docx", "html", "md", "txt"]));
  });

  it("is an empty list when the person cancels", async () => {
    fakeBackend({ "plugin:dialog|open": () => null });
    expect(await chooseFiles()).toEqual([]);
  });
});
