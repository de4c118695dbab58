import { describe, expect, it } from "vitest";
import { fakeBackend } from "../test-ipc";
import { chooseModelFile } from "./files";
import { inspectModel } from "./models";

describe("models api", () => {
  it("reads a model's header by its path, and a refused file is an error with its code", async () => {
    const info = {
      file_name: "tiny.gguf",
      size_bytes: 1000,
      name: null,
      architecture: "llama",
      parameters: 1000,
      quantization: "Q4_1",
      trained_context: 8192,
      has_chat_template: true,
    };
    const calls = fakeBackend({
      inspect_model: ({ path }) => {
        if (path === "/notes.gguf") throw { code: "INVALID_INPUT", message: "notes.gguf is not a GGUF model file" };
        return info;
      },
    });
    expect(await inspectModel("/models/tiny.gguf")).toEqual(info);
    await expect(inspectModel("/notes.gguf")).rejects.toMatchObject({ code: "INVALID_INPUT" });
    expect(calls).toEqual([
      { cmd: "inspect_model", args: { path: "/models/tiny.gguf" } },
      { cmd: "inspect_model", args: { path: "/notes.gguf" } },
    ]);
  });
});

describe("the Choose model dialog", () => {
  it("asks for one GGUF file and hands back its path, or null when the person cancels", async () => {
    const calls = fakeBackend({ "plugin:dialog|open": () => "/home/me/models/tiny.gguf" });
    expect(await chooseModelFile()).toBe("/home/me/models/tiny.gguf");
    const options = calls[0].args.options as { multiple: boolean; filters: { extensions: string[] }[] };
    expect(options.multiple).toBe(false);
    expect(options.filters[0].extensions).toEqual(["gguf"]);
    fakeBackend({ "plugin:dialog|open": () => null });
    expect(await chooseModelFile()).toBeNull();
  });
});
