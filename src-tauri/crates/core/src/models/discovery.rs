//! Finding the GGUF models a person already has, where other apps keep them: LM Studio, GPT4All,
//! Jan, Ollama (whose files are content-addressed blobs, named through its manifests), llama.cpp's
//! cache, the folders the person added, and the tiny model provisioned with Hearth. Only headers
//! are read ([`gguf::read`]); nothing is loaded, and an unreadable file is listed with its reason
//! rather than hidden.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use walkdir::WalkDir;

use super::gguf::{self, GgufInfo};
use crate::store::model_choice::file_model_name;

/// Which app's folder a model was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export_to = "ModelSource.ts")]
pub enum ModelSource {
    /// The tiny model provisioned with Hearth (`models/`).
    Hearth,
    LmStudio,
    #[serde(rename = "gpt4all")]
    Gpt4All,
    Jan,
    Ollama,
    LlamaCpp,
    /// A folder the person added.
    Added,
}

impl ModelSource {
    /// How the window and the CLI name the place.
    pub fn label(self) -> &'static str {
        match self {
            ModelSource::Hearth => "Hearth",
            ModelSource::LmStudio => "LM Studio",
            ModelSource::Gpt4All => "GPT4All",
            ModelSource::Jan => "Jan",
            ModelSource::Ollama => "Ollama",
            ModelSource::LlamaCpp => "llama.cpp",
            ModelSource::Added => "your folder",
        }
    }
}

/// A GGUF file found on this machine.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export_to = "FoundModel.ts")]
pub struct FoundModel {
    /// The file (for Ollama, its blob).
    pub path: String,
    pub source: ModelSource,
    /// The source as a person names it: "LM Studio", "Ollama", …
    pub found_in: String,
    /// The name to show: Ollama's `name:tag`, the tiny model's description, else the file's name
    /// without `.gguf`.
    pub name: String,
    /// The header, when it reads.
    pub info: Option<GgufInfo>,
    /// Why the file cannot be used (not GGUF, truncated, too large for the free memory, …).
    pub problem: Option<String>,
}

/// What the tiny model provisioned with Hearth is called in lists: it answers poorly, and says so.
pub const TINY_MODEL_NAME: &str = "SmolLM2 135M — tiny, for trying things out";
/// Where the tiny model is, under the models directory.
pub const TINY_MODEL_FILE: &str = "smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf";
/// How deep a folder is searched (LM Studio nests publisher/model/file).
const MAX_DEPTH: usize = 6;
/// Most files listed from one folder (a backup disk added by mistake stays quick).
const MAX_PER_FOLDER: usize = 500;

/// Where to look.
#[derive(Debug, Clone, Default)]
pub struct Places {
    /// The home folder the apps' folders are under.
    pub home: PathBuf,
    /// Hearth's models directory (the tiny model is inside it).
    pub models_dir: Option<PathBuf>,
    /// Ollama's models folder when `OLLAMA_MODELS` moves it.
    pub ollama_models: Option<PathBuf>,
    /// llama.cpp's cache when `LLAMA_CACHE` moves it.
    pub llama_cache: Option<PathBuf>,
    /// Folders the person added.
    pub added: Vec<PathBuf>,
}

impl Places {
    /// This user's places: their home, the environment's overrides, and `added`.
    pub fn of_this_user(models_dir: Option<PathBuf>, added: Vec<PathBuf>) -> Places {
        let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        Places {
            home: dirs::home_dir().unwrap_or_default(),
            models_dir,
            ollama_models: env("OLLAMA_MODELS"),
            llama_cache: env("LLAMA_CACHE"),
            added,
        }
    }

    /// The folders of GGUF files, by app (Ollama's blobs are found through [`Places::ollama`]).
    pub fn folders(&self) -> Vec<(ModelSource, PathBuf)> {
        let home = |rel: &str| self.home.join(rel);
        let mut folders = vec![
            (ModelSource::LmStudio, home(".lmstudio/models")),
            (ModelSource::LmStudio, home(".cache/lm-studio/models")),
            (ModelSource::Gpt4All, home(".local/share/nomic.ai/GPT4All")),
            (ModelSource::Jan, home(".local/share/Jan/data/models")),
            (ModelSource::Jan, home(".local/share/Jan/data/llamacpp/models")),
            (ModelSource::Jan, home("jan/models")),
            (ModelSource::LlamaCpp, self.llama_cache.clone().unwrap_or_else(|| home(".cache/llama.cpp"))),
        ];
        folders.extend(self.added.iter().map(|f| (ModelSource::Added, f.clone())));
        folders
    }

    /// Ollama's models folder.
    pub fn ollama(&self) -> PathBuf {
        self.ollama_models.clone().unwrap_or_else(|| self.home.join(".ollama/models"))
    }
}

/// Every GGUF model found in `places`, each file once (the first place that has it names it),
/// in the order: Hearth's, the apps', Ollama's, the added folders'.
pub fn find(places: &Places) -> Vec<FoundModel> {
    let mut found = Vec::new();
    if let Some(tiny) = places.models_dir.as_ref().map(|d| d.join(TINY_MODEL_FILE)).filter(|p| p.is_file()) {
        found.push(described(tiny, ModelSource::Hearth, TINY_MODEL_NAME.to_owned()));
    }
    let (added, apps): (Vec<_>, Vec<_>) = places.folders().into_iter().partition(|(s, _)| *s == ModelSource::Added);
    for (source, folder) in apps {
        found.extend(gguf_files(&folder).into_iter().map(|f| described(f, source, String::new())));
    }
    found.extend(ollama_models(&places.ollama()));
    for (source, folder) in added {
        found.extend(gguf_files(&folder).into_iter().map(|f| described(f, source, String::new())));
    }
    let mut seen = HashSet::new();
    found.retain(|m| seen.insert(std::fs::canonicalize(&m.path).unwrap_or_else(|_| PathBuf::from(&m.path))));
    found
}

/// The `.gguf` files under `folder`, sorted; vision projectors (`mmproj…`) are not chat models
/// and are left out.
fn gguf_files(folder: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = WalkDir::new(folder)
        .max_depth(MAX_DEPTH)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
            name.ends_with(".gguf") && !name.starts_with("mmproj")
        })
        .take(MAX_PER_FOLDER)
        .collect();
    files.sort();
    files
}

/// A found file with its header read (or the reason it does not read); `name` empty means the
/// file's name.
fn described(path: PathBuf, source: ModelSource, name: String) -> FoundModel {
    let (info, problem) = match gguf::read(&path) {
        // A model too large for the free memory is listed with its header, and why it cannot run.
        Ok(info) => {
            let too_large = gguf::check_fits_memory(&info).err().map(|e| e.to_string());
            (Some(info), too_large)
        }
        Err(e) => (None, Some(e.to_string())),
    };
    let name = if name.is_empty() { file_model_name(&path) } else { name };
    FoundModel { path: path.display().to_string(), source, found_in: source.label().to_owned(), name, info, problem }
}

/// An Ollama manifest: the layers of a model, one of them the GGUF weights.
#[derive(Deserialize)]
struct Manifest {
    layers: Vec<Layer>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Layer {
    media_type: String,
    digest: String,
}

/// The media type of the layer that is the model's GGUF file.
const OLLAMA_MODEL_LAYER: &str = "application/vnd.ollama.image.model";

/// Ollama's models: each manifest (`manifests/<registry>/<namespace>/<model>/<tag>`) names the
/// blob (`blobs/sha256-…`) that is the GGUF file.
fn ollama_models(root: &Path) -> Vec<FoundModel> {
    let manifests = root.join("manifests");
    let mut found = Vec::new();
    for entry in WalkDir::new(&manifests).min_depth(4).max_depth(4).sort_by_file_name().into_iter().flatten() {
        if !entry.file_type().is_file() {
            continue;
        }
        let Some(name) = ollama_name(entry.path().strip_prefix(&manifests).unwrap_or(entry.path())) else {
            continue;
        };
        let manifest: Option<Manifest> =
            std::fs::read(entry.path()).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok());
        let Some(layer) = manifest.and_then(|m| m.layers.into_iter().find(|l| l.media_type == OLLAMA_MODEL_LAYER))
        else {
            continue;
        };
        let blob = root.join("blobs").join(layer.digest.replace(':', "-"));
        if blob.is_file() {
            found.push(described(blob, ModelSource::Ollama, name));
        }
    }
    found
}

/// `registry.ollama.ai/library/qwen2.5/3b` → `qwen2.5:3b`; another namespace or registry is kept
/// (`someone/model:tag`, `host/someone/model:tag`), as `ollama run` takes it.
fn ollama_name(relative: &Path) -> Option<String> {
    let parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let [registry, namespace, model, tag] = parts.as_slice() else {
        return None;
    };
    Some(match (registry.as_str(), namespace.as_str()) {
        ("registry.ollama.ai", "library") => format!("{model}:{tag}"),
        ("registry.ollama.ai", _) => format!("{namespace}/{model}:{tag}"),
        _ => format!("{registry}/{namespace}/{model}:{tag}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ollama_names_read_as_ollama_run_takes_them() {
        let name = |p: &str| ollama_name(Path::new(p));
        assert_eq!(name("registry.ollama.ai/library/qwen2.5/3b").as_deref(), Some("qwen2.5:3b"));
        assert_eq!(name("registry.ollama.ai/someone/tiny/latest").as_deref(), Some("someone/tiny:latest"));
        assert_eq!(name("hf.co/org/repo/Q4_K_M").as_deref(), Some("hf.co/org/repo:Q4_K_M"));
        assert_eq!(name("too/short"), None);
    }
}
