import { call } from "./invoke";
import type { GgufInfo } from "./bindings/GgufInfo";

export type { GgufInfo };

/** What a GGUF file's header says (name, parameters, quantization, trained context), read
 * without loading the model; INVALID_INPUT with the reason for a file that is not a usable model. */
export const inspectModel = (path: string) => call<GgufInfo>("inspect_model", { path });
