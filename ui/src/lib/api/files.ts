import { open } from "@tauri-apps/plugin-dialog";

/** The extensions Hearth reads (the core decides by extension; see extract.rs). */
export const DOCUMENT_EXTENSIONS = ["pdf", "docx", "html", "htm", "xhtml", "md", "markdown", "mdown", "txt", "text", "log", "csv"];

/** Asks for files with the system's own file dialog; an empty list when the person cancels. */
export async function chooseFiles(): Promise<string[]> {
  const picked = await open({
    title: "Add files to Hearth",
    multiple: true,
    directory: false,
    filters: [
      { name: "Documents (PDF, DOCX, HTML, Markdown, text)", extensions: DOCUMENT_EXTENSIONS },
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
