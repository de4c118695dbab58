import { open, save } from "@tauri-apps/plugin-dialog";

/** The extensions Hearth reads (the core decides by extension; see extract.rs). */
export const DOCUMENT_EXTENSIONS = [
  ...["pdf", "docx", "html", "htm", "xhtml", "md", "markdown", "mdown", "txt", "text", "log", "csv"],
  // Pictures of text, read by OCR.
  ...["png", "jpg", "jpeg", "tif", "tiff"],
];

/** Asks for files with the system's own file dialog; an empty list when the person cancels. */
export async function chooseFiles(): Promise<string[]> {
  const picked = await open({
    title: "Add files to Hearth",
    multiple: true,
    directory: false,
    filters: [
      { name: "Documents (PDF, DOCX, HTML, Markdown, text, scans and photos of text)", extensions: DOCUMENT_EXTENSIONS },
      { name: "All files", extensions: ["*"] },
    ],
  });
  if (picked === null) return [];
  return Array.isArray(picked) ? picked : [picked];
}

/** Asks for one GGUF model file with the system's file dialog; null when the person cancels. */
export async function chooseModelFile(): Promise<string | null> {
  const picked = await open({
    title: "Choose a GGUF model",
    multiple: false,
    directory: false,
    filters: [
      { name: "GGUF models", extensions: ["gguf"] },
      { name: "All files", extensions: ["*"] },
    ],
  });
  return Array.isArray(picked) ? (picked[0] ?? null) : picked;
}

/** Asks for one folder with the system's dialog; null when the person cancels. */
export async function chooseFolder(): Promise<string | null> {
  const picked = await open({ title: "Add a folder of GGUF models", multiple: false, directory: true });
  return Array.isArray(picked) ? (picked[0] ?? null) : picked;
}

/** Asks where to write a backup of the database; null when the person cancels. */
export async function chooseBackupFile(): Promise<string | null> {
  const day = new Date().toISOString().slice(0, 10);
  return save({
    title: "Back up Hearth's database",
    defaultPath: `hearth-backup-${day}.db`,
    filters: [{ name: "Hearth backups", extensions: ["db"] }],
  });
}

/** Asks where to export chats; the format follows the chosen name (.json, else Markdown).
 * Null when the person cancels. */
export async function chooseExportFile(name: string): Promise<{ path: string; format: "md" | "json" } | null> {
  const safe = name.replace(/[^\p{L}\p{N} _-]+/gu, "").trim() || "chat";
  const path = await save({
    title: "Export chats",
    defaultPath: `${safe}.md`,
    filters: [
      { name: "Markdown, to read", extensions: ["md"] },
      { name: "JSON, everything (Hearth imports it)", extensions: ["json"] },
    ],
  });
  if (!path) return null;
  return { path, format: path.toLowerCase().endsWith(".json") ? "json" : "md" };
}

/** Asks for a chat export (JSON) to import; null when the person cancels. */
export async function chooseImportFile(): Promise<string | null> {
  const picked = await open({
    title: "Import chats",
    multiple: false,
    directory: false,
    filters: [{ name: "Hearth chat exports (JSON)", extensions: ["json"] }],
  });
  return Array.isArray(picked) ? (picked[0] ?? null) : picked;
}

/** Asks for a folder to keep in sync with the library; null when the person cancels. */
export async function chooseWatchedFolder(): Promise<string | null> {
  const picked = await open({ title: "Watch a folder", multiple: false, directory: true });
  return Array.isArray(picked) ? (picked[0] ?? null) : picked;
}
