import { ApiError, asApiError } from "../api/invoke";
import * as api from "../api/models";
import type { DetectedServer, FoundModel } from "../api/models";

/** `extractive`: no model, the answer quotes the sentences that answer. */
export const NO_MODEL = "extractive";

/** One model a chat can use, as a picker shows it. */
export interface ModelOption {
  /** What `use_model` and `set_session_model` take. */
  choice: string;
  label: string;
  /** Where it was found: "LM Studio", "Ollama (server)", … */
  group: string;
}

/** One thing to offer a person with no model: a file found, or a server running. */
export type Suggestion = { kind: "file"; model: FoundModel } | { kind: "server"; server: DetectedServer };

/** The models on this machine: GGUF files found where other apps keep them, and the local
 * servers that answer. Loaded in the background; nothing here loads a model. */
export class ModelsStore {
  files = $state<FoundModel[]>([]);
  servers = $state<DetectedServer[]>([]);
  loading = $state(false);
  /** Whether a refresh finished at least once. */
  loaded = $state(false);
  error = $state<ApiError | null>(null);
  /** Whether new chats have no model (the settings' backend is `extractive`): then the welcome
   * screen offers the models found. */
  noDefault = $state(true);

  async refresh(): Promise<void> {
    this.loading = true;
    try {
      const [files, servers] = await Promise.all([api.findModels(), api.detectServers()]);
      this.files = files;
      this.servers = servers;
      this.error = null;
    } catch (e) {
      this.error = asApiError(e);
    } finally {
      this.loading = false;
      this.loaded = true;
    }
  }

  /** Every model a chat can switch to, grouped by where it is. */
  get options(): ModelOption[] {
    const files = this.files
      .filter((f) => f.problem === null)
      .map((f) => ({ choice: f.path, label: f.name, group: `Files: ${f.found_in}` }));
    const served = this.servers
      .filter((s) => s.running)
      .flatMap((s) => s.models.map((m) => ({ choice: api.serverChoice(s.base_url, m), label: m, group: `Server: ${s.name}` })));
    return [...files, ...served];
  }

  /** What to offer a person without a model: the models of other apps first, each running
   * server, and Hearth's tiny model only when there is nothing else (it answers poorly). */
  get suggestions(): Suggestion[] {
    const usable = this.files.filter((f) => f.problem === null);
    const theirs: Suggestion[] = usable.filter((f) => f.source !== "hearth").slice(0, 2).map((model) => ({ kind: "file", model }));
    const servers: Suggestion[] = this.servers.filter((s) => s.running).map((server) => ({ kind: "server", server }));
    const tiny: Suggestion[] = usable.filter((f) => f.source === "hearth").map((model) => ({ kind: "file", model }));
    const found = [...theirs, ...servers];
    return found.length > 0 ? found : tiny;
  }
}

/** "1.5B parameters · Q4_K_M · 4.4 GB" for a found file. */
export function describe(model: FoundModel): string {
  if (!model.info) return model.problem ?? "";
  const size = model.info.size_bytes >= 1e9 ? `${(model.info.size_bytes / 1e9).toFixed(1)} GB` : `${Math.round(model.info.size_bytes / 1e6)} MB`;
  const context = model.info.trained_context ? ` · ${model.info.trained_context.toLocaleString("en")} tokens` : "";
  return `${shortCount(model.info.parameters)} parameters · ${model.info.quantization}${context} · ${size}`;
}

/** 135000000 → "135M", 3090000000 → "3.1B". */
export const shortCount = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(1)}B` : n >= 1e6 ? `${Math.round(n / 1e6)}M` : `${n}`);
