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

/// The suffix of the directory beside a model's that holds its copy quantized for int8 compute
/// (`models/all-minilm-l6-v2-q8`, made by `scripts/fetch_model.py`).
pub const INT8_DIR_SUFFIX: &str = "-q8";

/// How the embedding model computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[ts(export_to = "EmbeddingCompute.ts")]
pub enum EmbeddingCompute {
    /// int8 where this CPU has fast integer dot products, else fp32.
    #[default]
    Auto,
    /// The dynamically quantized copy: int8 matrix products (MatMulInteger), one text per call.
    Int8,
    /// The model as shipped: int8 weights, dequantized, fp32 matrix products.
    Fp32,
}

impl EmbeddingCompute {
    /// What `Auto` means on this machine: int8 needs the CPU's integer dot products (AVX2 and up
    /// on x86-64, NEON on ARM) for ONNX Runtime's int8 kernels to beat fp32.
    pub fn resolved(self) -> EmbeddingCompute {
        match self {
            EmbeddingCompute::Auto if fast_int8() => EmbeddingCompute::Int8,
            EmbeddingCompute::Auto => EmbeddingCompute::Fp32,
            chosen => chosen,
        }
    }
}

impl std::str::FromStr for EmbeddingCompute {
    type Err = Error;

    fn from_str(s: &str) -> Result<EmbeddingCompute> {
        match s {
            "auto" => Ok(EmbeddingCompute::Auto),
            "int8" => Ok(EmbeddingCompute::Int8),
            "fp32" => Ok(EmbeddingCompute::Fp32),
            other => Err(Error::InvalidInput(format!("unknown embedding compute {other:?}: use auto, int8 or fp32"))),
        }
    }
}

#[cfg(target_arch = "x86_64")]
fn fast_int8() -> bool {
    std::arch::is_x86_feature_detected!("avx2")
}

#[cfg(target_arch = "aarch64")]
fn fast_int8() -> bool {
    true
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn fast_int8() -> bool {
    false
}

/// The model directory that computes as `compute` asks: for int8, the quantized copy beside
/// `base` when it is there (else `base`, which always works).
pub fn compute_model_dir(base: &Path, compute: EmbeddingCompute) -> PathBuf {
    if compute.resolved() == EmbeddingCompute::Int8 {
        let mut name = base.file_name().unwrap_or_default().to_owned();
        name.push(INT8_DIR_SUFFIX);
        let int8 = base.with_file_name(name);
        if int8.join("model.onnx").is_file() {
            return int8;
        }
        tracing::warn!(dir = %int8.display(), "no int8 copy of the embedding model; computing in fp32");
    }
    base.to_owned()
}

/// How the model in `dir` computes: int8 for a quantized copy made beside a model.
pub fn compute_of(dir: &Path) -> EmbeddingCompute {
    match dir.file_name().and_then(|n| n.to_str()) {
        Some(name) if name.ends_with(INT8_DIR_SUFFIX) => EmbeddingCompute::Int8,
        _ => EmbeddingCompute::Fp32,
    }
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

/// What [`MODEL_NAME_FILE`] says of a model.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct Named {
    name: String,
    /// Each text in a model call of its own: a dynamically quantized model scales activations
    /// over the whole batch, so a text's vector would depend on the texts beside it.
    one_text_per_call: bool,
}

/// The model's name and how it is called: from [`MODEL_NAME_FILE`] when there is one, else the
/// bundled model's.
fn model_name(dir: &Path) -> Named {
    let named = std::fs::read(dir.join(MODEL_NAME_FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Named>(&bytes).ok())
        .unwrap_or_default();
    if named.name.trim().is_empty() {
        return Named { name: "all-minilm-l6-v2-int8".to_owned(), ..named };
    }
    named
}

/// ONNX Runtime's library: beside the model, else beside the base model whose int8 copy this is.
pub(crate) fn ort_library(dir: &Path) -> PathBuf {
    let here = dir.join(ORT_LIBRARY);
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    match name.strip_suffix(INT8_DIR_SUFFIX) {
        Some(base) if !here.is_file() => dir.with_file_name(base).join(ORT_LIBRARY),
        _ => here,
    }
}

/// The real model, run locally.
pub struct LocalEmbedder {
    /// One session, or (for a model that takes one text per call) one single-threaded session
    /// per core, embedding different texts side by side.
    sessions: Vec<Mutex<TextEmbedding>>,
    model_id: String,
    one_text_per_call: bool,
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
        let tokenizer = || -> Result<TokenizerFiles> {
            Ok(TokenizerFiles {
                tokenizer_file: read("tokenizer.json")?,
                config_file: read("config.json")?,
                special_tokens_map_file: read("special_tokens_map.json")?,
                tokenizer_config_file: read("tokenizer_config.json")?,
            })
        };
        let named = model_name(dir);
        let model_id = format!("{}@{}", named.name, &crate::text::sha256_hex(&onnx)[..12]);
        let environment = ort_environment(&ort_library(dir))?;
        // One text per call leaves ONNX Runtime's threads little to share within a call: one
        // single-threaded session per core, side by side, is faster (measured 50 against 41
        // texts/s on 2 cores) and never oversubscribes the cores.
        let (count, threads) = if named.one_text_per_call {
            (std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_SESSIONS), Some(1))
        } else {
            (1, None)
        };
        let sessions = (0..count)
            .map(|_| {
                // Mean pooling: without it fastembed silently uses CLS pooling, wrong for this model.
                let model = UserDefinedEmbeddingModel::new(onnx.clone(), tokenizer()?).with_pooling(Pooling::Mean);
                let mut options =
                    InitOptionsUserDefined::new().with_max_length(MAX_TOKENS).with_environment(environment.clone());
                if let Some(threads) = threads {
                    options = options.with_intra_threads(threads);
                }
                TextEmbedding::try_new_from_user_defined(model, options)
                    .map(Mutex::new)
                    .map_err(|e| Error::ModelUnavailable(format!("cannot load the model in {}: {e}", dir.display())))
            })
            .collect::<Result<Vec<_>>>()?;
        tracing::info!(%model_id, dir = %dir.display(), sessions = sessions.len(), "embedding model loaded");
        Ok(LocalEmbedder { sessions, model_id, one_text_per_call: named.one_text_per_call })
    }
}

/// The most sessions of a one-text-per-call model (each holds the weights and its buffers).
const MAX_SESSIONS: usize = 4;

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
        let run = |session: &Mutex<TextEmbedding>, texts: &[&str]| {
            let mut model = session.lock().unwrap_or_else(|e| e.into_inner());
            // One call, one batch: the caller decides batch sizes (peak memory grows with them)
            // — unless the model must see each text alone.
            let batch = if self.one_text_per_call { 1 } else { texts.len() };
            model
                .embed(texts, Some(batch))
                .map_err(|e| Error::ModelUnavailable(format!("the embedding model failed: {e}")))
        };
        if self.sessions.len() == 1 || texts.len() == 1 {
            return run(&self.sessions[0], texts);
        }
        // Texts split in contiguous shares, one per session, each on a thread of its own.
        let share = texts.len().div_ceil(self.sessions.len());
        std::thread::scope(|scope| {
            let parts: Vec<_> = texts
                .chunks(share)
                .zip(&self.sessions)
                .map(|(part, session)| scope.spawn(move || run(session, part)))
                .collect();
            let mut vectors = Vec::with_capacity(texts.len());
            for part in parts {
                vectors.extend(part.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?);
            }
            Ok(vectors)
        })
    }
}

/// ONNX Runtime can be loaded once per process; later loads reuse that environment.
pub(crate) fn ort_environment(library: &Path) -> Result<ort::environment::Environment> {
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
