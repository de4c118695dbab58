import { describe, expect, it } from "vitest";
import { fakeBackend } from "../test-ipc";
import { chooseModelFile } from "./files";
import { addModelFolder, inspectModel, setSessionModel, useModel, type DetectedServer, type FoundModel } from "./models";
import type { ModelSource } from "./bindings/ModelSource";
import { describe as describeModel, ModelsStore } from "../stores/models.svelte";

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

describe("the models on this machine", () => {
  const info = {
    file_name: "x.gguf",
    size_bytes: 4_400_000_000,
    name: null,
    architecture: "qwen2",
    parameters: 3_090_000_000,
    quantization: "Q4_K_M",
    trained_context: 32768,
    has_chat_template: true,
  };
  const file = (name: string, source: ModelSource, found_in: string, problem: string | null = null): FoundModel => ({
    path: `/m/${name}.gguf`,
    source,
    found_in,
    name,
    info: problem ? null : info,
    problem,
  });
  const ollama: DetectedServer = {
    preset: "ollama",
    name: "Ollama",
    base_url: "http://127.0.0.1:11434/v1",
    running: true,
    models: ["qwen2.5:3b"],
    problem: null,
  };
  const lmStudio: DetectedServer = {
    preset: "lm-studio",
    name: "LM Studio",
    base_url: "http://127.0.0.1:1234/v1",
    running: false,
    models: [],
    problem: "nothing answers at 127.0.0.1:1234 — is LM Studio running?",
  };

  it("offers other apps' models and running servers first, the tiny model only when nothing else is there", async () => {
    const tiny = file("SmolLM2 135M — tiny, for trying things out", "hearth", "Hearth");
    const qwen = file("Qwen2.5-3B-Instruct-Q4_K_M", "lm-studio", "LM Studio");
    const broken = file("half", "gpt4all", "GPT4All", "half.gguf is truncated");
    const calls = fakeBackend({ find_models: () => [tiny, qwen, broken], detect_servers: () => [ollama, lmStudio] });
    const models = new ModelsStore();
    await models.refresh();
    expect(calls.map((c) => c.cmd).sort()).toEqual(["detect_servers", "find_models"]);
    expect(models.suggestions).toEqual([
      { kind: "file", model: qwen },
      { kind: "server", server: ollama },
    ]);
    expect(models.options.map((o) => [o.group, o.label, o.choice])).toEqual([
      ["Files: Hearth", tiny.name, tiny.path],
      ["Files: LM Studio", qwen.name, qwen.path],
      ["Server: Ollama", "qwen2.5:3b", "http://127.0.0.1:11434/v1#qwen2.5:3b"],
    ]);
    expect(describeModel(qwen)).toBe("3.1B parameters · Q4_K_M · 32,768 tokens · 4.4 GB");

    fakeBackend({ find_models: () => [tiny, broken], detect_servers: () => [lmStudio] });
    await models.refresh();
    expect(models.suggestions).toEqual([{ kind: "file", model: tiny }]);
  });

  it("switches a chat's model and the default with the argument names the commands expect", async () => {
    const calls = fakeBackend({ use_model: () => ({}), set_session_model: () => ({}), add_model_folder: () => ({}) });
    await useModel("ollama:qwen2.5:3b");
    await setSessionModel("s1", "/m/x.gguf");
    await addModelFolder("/models");
    expect(calls).toEqual([
      { cmd: "use_model", args: { choice: "ollama:qwen2.5:3b" } },
      { cmd: "set_session_model", args: { sessionId: "s1", choice: "/m/x.gguf" } },
      { cmd: "add_model_folder", args: { path: "/models" } },
    ]);
  });
});
