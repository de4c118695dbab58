import { call } from "./invoke";
import type { DetectedServer } from "./bindings/DetectedServer";
import type { FoundModel } from "./bindings/FoundModel";
import type { GgufInfo } from "./bindings/GgufInfo";
import type { SessionDto } from "./bindings/SessionDto";
import type { SettingsDto } from "./bindings/SettingsDto";

export type { DetectedServer, FoundModel, GgufInfo };

/** What a GGUF file's header says (name, parameters, quantization, trained context), read
 * without loading the model; INVALID_INPUT with the reason for a file that is not a usable model. */
export const inspectModel = (path: string) => call<GgufInfo>("inspect_model", { path });

/** GGUF files found where LM Studio, GPT4All, Jan, Ollama and llama.cpp keep them, in the added
 * folders, and Hearth's tiny model (headers only, nothing loaded). */
export const findModels = () => call<FoundModel[]>("find_models");

/** Which of Ollama, LM Studio, llama.cpp's server, Jan and vLLM answer on this machine. */
export const detectServers = () => call<DetectedServer[]>("detect_servers");

/** Makes a model the one new chats use: a file's path, `URL#NAME`, `ollama:NAME` or `extractive`. */
export const useModel = (choice: string) => call<SettingsDto>("use_model", { choice });

/** Switches the model that answers a chat, from its next question. */
export const setSessionModel = (sessionId: string, choice: string) =>
  call<SessionDto>("set_session_model", { sessionId, choice });

/** Adds a folder to look for GGUF files in. */
export const addModelFolder = (path: string) => call<SettingsDto>("add_model_folder", { path });

/** The choice string of a server's model. */
export const serverChoice = (baseUrl: string, model: string) => `${baseUrl}#${model}`;
