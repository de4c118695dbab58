import { invoke } from "@tauri-apps/api/core";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { IpcError } from "./bindings/IpcError";

/** An error from a Hearth command. Branch on `code`; show `message` to the person. */
export class ApiError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "ApiError";
    this.code = code;
  }
}

const CODES: readonly ErrorCode[] = [
  "NOT_FOUND",
  "INVALID_INPUT",
  "STORAGE",
  "MODEL_UNAVAILABLE",
  "LLM_UNAVAILABLE",
  "INTERNAL",
  "DISK_FULL",
  "DAMAGED",
];

function isIpcError(value: unknown): value is IpcError {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.message === "string" && CODES.includes(v.code as ErrorCode);
}

/** Calls a Hearth command; every failure becomes an `ApiError`, whatever shape it arrived in. */
export async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    if (isIpcError(raw)) throw new ApiError(raw.code, raw.message);
    // Tauri itself rejects with a plain string (unknown command, bad argument shape).
    const message = raw instanceof Error ? raw.message : String(raw);
    throw new ApiError("INTERNAL", message);
  }
}

/** Any failure as an `ApiError` (one that is not from a command is `INTERNAL`). */
export function asApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError("INTERNAL", String(e));
}

/** Runs `work` for a store: a success clears the store's error, a failure sets it and gives null. */
export async function guarded<T>(work: () => Promise<T>, setError: (error: ApiError | null) => void): Promise<T | null> {
  try {
    const value = await work();
    setError(null);
    return value;
  } catch (e) {
    setError(asApiError(e));
    return null;
  }
}
