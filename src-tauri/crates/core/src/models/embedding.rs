//! Turning text into vectors. [`Embedder`] is the seam (tests may use a fake); [`LocalEmbedder`]
//! runs all-MiniLM-L6-v2 through ONNX Runtime on this machine, from files provisioned by
//! `scripts/fetch_model.py`. Nothing is downloaded at run time.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use fastembed::{InitOptionsUserDefined, Pooling, TextEmbedding, TokenizerFiles, UserDefinedEmbeddingModel};

use crate::error::{Error, Result};

/// Overrides where the model files are read from.
pub const MODEL_DIR_ENV: &str = "HEARTH_MODEL_DIR";
/// The model directory's name, under the bundle's resources or the repository's `models/`.
pub const MODEL_DIR_NAME: &str = "all-minilm-l6-v2";
/// The ONNX Runtime library shipped beside the model (the wheel has only the versioned name).
pub const ORT_LIBRARY: &str = "libonnxruntime.so.1.31.1";
/// The model's own maximum sequence length, in tokens (sentence-transformers' setting).
pub const MAX_TOKENS: usize = 256;
/// The size of every vector.
pub const DIMENSIONS: usize = 384;

/// Turns texts into unit-length vectors of [`Embedder::dimensions`] floats.
pub trait Embedder: Send + Sync {
    /// Names the model and its exact weights, e.g. `all-minilm-l6-v2-int8@8199be6f699a`; stored with
    /// every vector so a model change can be detected and re-embedded.
    fn model_id(&self) -> &str;
    fn dimensions(&self) -> usize;
    /// One vector per text, in order.
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>>;
}

/// Where the model files are: `$HEARTH_MODEL_DIR`, else `resource_dir/models/all-minilm-l6-v2`
/// (the installed app's bundle), else the repository's `models/` (a development build).
pub fn locate_model_dir(resource_dir: Option<&Path>) -> PathBuf {
    if let Some(dir) = std::env::var_os(MODEL_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Some(bundled) = resource_dir.map(|r| r.join("models").join(MODEL_DIR_NAME)).filter(|d| d.is_dir()) {
        return bundled;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../models").join(MODEL_DIR_NAME)
}

/// Whether the model in a directory loads, for `hearth doctor` and the app's status.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ModelStatus {
    pub dir: String,
    /// The model's id when it loaded.
    pub model_id: Option<String>,
    /// Why it did not load.
    pub error: Option<String>,
}

/// Tries to load the model in `dir` and says how that went.
pub fn model_status(dir: &Path) -> ModelStatus {
    let (model_id, error) = match LocalEmbedder::load(dir) {
        Ok(model) => (Some(model.model_id), None),
        Err(e) => (None, Some(e.to_string())),
    };
    ModelStatus { dir: dir.display().to_string(), model_id, error }
}

/// The file in a model's directory that may name it (`{"name": "…"}`); the model id is the
/// name and the start of the ONNX file's hash, so a renamed copy of the same weights is another
/// model (what re-embedding is tested with).
pub const MODEL_NAME_FILE: &str = "hearth-model.json";

/// The model's name: from [`MODEL_NAME_FILE`] when there is one, else the bundled model's.
fn model_name(dir: &Path) -> String {
    #[derive(serde::Deserialize)]
    struct Named {
        name: String,
    }
    std::fs::read(dir.join(MODEL_NAME_FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Named>(&bytes).ok())
        .map(|n| n.name)
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "all-minilm-l6-v2-int8".to_owned())
}

/// The real model, run locally.
pub struct LocalEmbedder {
    model: Mutex<TextEmbedding>,
    model_id: String,
}

impl LocalEmbedder {
    /// Loads ONNX Runtime and the model from `dir` (0.5–1 s). A missing or corrupt file is a
    /// `ModelUnavailable` error that says which and how to fix it, never a panic.
    pub fn load(dir: &Path) -> Result<Self> {
        let read = |name: &str| {
            std::fs::read(dir.join(name)).map_err(|e| {
                Error::ModelUnavailable(format!(
                    "cannot read {} ({e}); run `python3 scripts/fetch_model.py` or set {MODEL_DIR_ENV}",
                    dir.join(name).display()
                ))
            })
        };
        let onnx = read("model.onnx")?;
        let tokenizer = TokenizerFiles {
            tokenizer_file: read("tokenizer.json")?,
            config_file: read("config.json")?,
            special_tokens_map_file: read("special_tokens_map.json")?,
            tokenizer_config_file: read("tokenizer_config.json")?,
        };
        let model_id = format!("{}@{}", model_name(dir), &crate::text::sha256_hex(&onnx)[..12]);
        let environment = ort_environment(&dir.join(ORT_LIBRARY))?;
        // Mean pooling: without it fastembed silently uses CLS pooling, wrong for this model.
        let model = UserDefinedEmbeddingModel::new(onnx, tokenizer).with_pooling(Pooling::Mean);
        let options = InitOptionsUserDefined::new().with_max_length(MAX_TOKENS).with_environment(environment);
        let model = TextEmbedding::try_new_from_user_defined(model, options)
            .map_err(|e| Error::ModelUnavailable(format!("cannot load the model in {}: {e}", dir.display())))?;
        tracing::info!(%model_id, dir = %dir.display(), "embedding model loaded");
        Ok(LocalEmbedder { model: Mutex::new(model), model_id })
    }
}

impl Embedder for LocalEmbedder {
    fn model_id(&self) -> &str {
        &self.model_id
    }

    fn dimensions(&self) -> usize {
        DIMENSIONS
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let mut model = self.model.lock().unwrap_or_else(|e| e.into_inner());
        // One call, one batch: the caller decides batch sizes (peak memory grows with them).
        model
            .embed(texts, Some(texts.len()))
            .map_err(|e| Error::ModelUnavailable(format!("the embedding model failed: {e}")))
    }
}

/// ONNX Runtime can be loaded once per process; later loads reuse that environment.
fn ort_environment(library: &Path) -> Result<ort::environment::Environment> {
    static ENV: OnceLock<std::result::Result<ort::environment::Environment, String>> = OnceLock::new();
    ENV.get_or_init(|| {
        if !library.is_file() {
            return Err(format!(
                "ONNX Runtime is missing at {}; run `python3 scripts/fetch_model.py` or set {MODEL_DIR_ENV}",
                library.display()
            ));
        }
        // init_from checks the library's version instead of panicking the way a bare dlopen does.
        let fail = |e: &dyn std::fmt::Display| format!("cannot load ONNX Runtime from {}: {e}", library.display());
        let builder = ort::init_from(library).map_err(|e| fail(&e))?;
        builder.with_name("hearth").build().map_err(|e| fail(&e))
    })
    .clone()
    .map_err(Error::ModelUnavailable)
}

/// An embedder that adds up the time spent in the model it wraps (benchmarks, turn timings).
pub struct TimedEmbedder<'a> {
    inner: &'a dyn Embedder,
    spent: Mutex<std::time::Duration>,
}

impl<'a> TimedEmbedder<'a> {
    pub fn new(inner: &'a dyn Embedder) -> Self {
        TimedEmbedder { inner, spent: Mutex::new(std::time::Duration::ZERO) }
    }

    /// The time spent embedding so far.
    pub fn spent(&self) -> std::time::Duration {
        *self.spent.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Embedder for TimedEmbedder<'_> {
    fn model_id(&self) -> &str {
        self.inner.model_id()
    }

    fn dimensions(&self) -> usize {
        self.inner.dimensions()
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        let started = std::time::Instant::now();
        let vectors = self.inner.embed(texts);
        *self.spent.lock().unwrap_or_else(|e| e.into_inner()) += started.elapsed();
        vectors
    }
}
