import { call } from "./invoke";
import type { SaveSettingsRequest } from "./bindings/SaveSettingsRequest";
import type { SettingsDto } from "./bindings/SettingsDto";
import type { BackupInfoDto } from "./bindings/BackupInfoDto";

export type { SaveSettingsRequest, SettingsDto, BackupInfoDto };

export const getSettings = () => call<SettingsDto>("get_settings");

/** Saves every setting, all or nothing. Leave `llm.api_key` out to keep the stored key. */
export const saveSettings = (request: SaveSettingsRequest) => call<SettingsDto>("save_settings", { request });

/** Asks the saved OpenAI-compatible server for its models. */
export const testLlmConnection = () => call<string[]>("test_llm_connection");

/** Writes a consistent copy of the database to `path` while the app keeps working. */
export const backupDatabase = (path: string) => call<BackupInfoDto>("backup_database", { path });
