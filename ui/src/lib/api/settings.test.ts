import { describe, expect, it } from "vitest";
import { fakeBackend } from "../test-ipc";
import { applyTheme } from "../theme";
import { getSettings, saveSettings, testLlmConnection, type SaveSettingsRequest } from "./settings";

describe("settings", () => {
  it("send the argument names the Rust commands expect", async () => {
    const calls = fakeBackend({ get_settings: () => ({}), save_settings: () => ({}), test_llm_connection: () => ["m"] });
    const request: SaveSettingsRequest = {
      chat: { top_n: 5, history_turns: 6, system_instructions: "Be brief.", context_tokens: 4096, answer_tokens: 512 },
      llm: {
        backend: "openai-compatible",
        base_url: "http://127.0.0.1:8080/v1",
        first_token_timeout_secs: 60,
        answer_timeout_secs: 600,
        model_path: null,
        threads: null,
        model_name: "qwen2.5:3b",
        model_folders: [],
        idle_unload_minutes: 10,
      },
      ingest: { chunk_tokens: 254, overlap_tokens: 32, keep_pdf_copies: true, compute: "auto", ocr: true, ocr_dpi: 200 },
      theme: "dark",
      backups: { keep: 3, every_hours: 24 },
    };
    await getSettings();
    await saveSettings(request);
    expect(await testLlmConnection()).toEqual(["m"]);
    expect(calls.map((c) => c.cmd)).toEqual(["get_settings", "save_settings", "test_llm_connection"]);
    expect(calls[1].args).toEqual({ request });
  });

  it("applies a fixed theme, and follows the OS otherwise", () => {
    applyTheme("dark");
    expect(document.documentElement.dataset.theme).toBe("dark");
    applyTheme("light");
    expect(document.documentElement.dataset.theme).toBe("light");
    window.matchMedia = ((query: string) => ({
      matches: query.includes("dark"),
      addEventListener: () => {},
      removeEventListener: () => {},
    })) as unknown as typeof window.matchMedia;
    applyTheme("system");
    expect(document.documentElement.dataset.theme).toBe("dark");
  });
});
