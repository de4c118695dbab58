//! int8 compute: the quantized copy of the model that `scripts/fetch_model.py` makes beside the
//! shipped one, how it is chosen, and what it costs in agreement with the fp32 vectors.

use hearth_core::models::embedding::{
    Embedder, EmbeddingCompute, INT8_DIR_SUFFIX, LocalEmbedder, compute_model_dir, compute_of, locate_model_dir,
};
use hearth_core::settings::{self, IngestSettings};

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn int8_dir() -> std::path::PathBuf {
    compute_model_dir(&locate_model_dir(None), EmbeddingCompute::Int8)
}

const TEXTS: [&str; 6] = [
    "How do I bake sourdough bread at home?",
    "A recipe for baking a loaf of bread with a sourdough starter, proofed overnight in a cool kitchen.",
    "The central bank raised interest rates to fight inflation.",
    "apt-get install fails with unmet dependencies after adding a third-party repository",
    "short",
    "Measurements of the scattering cross section for slow neutrons in liquid helium below the lambda point.",
];

#[test]
fn int8_runs_the_quantized_copy_and_fp32_the_shipped_model() {
    let base = locate_model_dir(None);
    let int8 = int8_dir();
    assert_eq!(int8.file_name().unwrap().to_str().unwrap(), format!("all-minilm-l6-v2{INT8_DIR_SUFFIX}"));
    assert_eq!(compute_of(&int8), EmbeddingCompute::Int8);
    assert_eq!(compute_model_dir(&base, EmbeddingCompute::Fp32), base);
    assert_eq!(compute_of(&base), EmbeddingCompute::Fp32);
    // This machine's CPU has AVX2 (the test machines all do): automatic means int8.
    assert_eq!(EmbeddingCompute::Auto.resolved(), EmbeddingCompute::Int8);
    // Without a quantized copy beside it, a model computes in fp32 rather than failing.
    let lone = tempfile::tempdir().unwrap();
    assert_eq!(compute_model_dir(lone.path(), EmbeddingCompute::Int8), lone.path());

    let model = LocalEmbedder::load(&int8).expect("the int8 copy loads (run scripts/setup.sh)");
    assert!(
        model.model_id().starts_with("all-minilm-l6-v2-q8@"),
        "its own id, so a switch re-embeds: {}",
        model.model_id()
    );
}

#[test]
fn an_int8_vector_does_not_depend_on_the_texts_beside_it_and_agrees_with_fp32() {
    let int8 = LocalEmbedder::load(&int8_dir()).unwrap();
    let fp32 = LocalEmbedder::load(&locate_model_dir(None)).unwrap();
    let together = int8.embed(&TEXTS).unwrap();
    let reference = fp32.embed(&TEXTS).unwrap();
    for (i, text) in TEXTS.iter().enumerate() {
        let alone = int8.embed(&[text]).unwrap();
        // Bit for bit: dynamic quantization would otherwise scale by the whole batch's range.
        assert_eq!(alone[0], together[i], "{text:?} changed with the texts beside it");
        let agreement = cosine(&together[i], &reference[i]);
        assert!(agreement > 0.98, "{text:?}: cosine {agreement} to the fp32 vector");
    }
    // And it still embeds by meaning.
    assert!(cosine(&together[0], &together[1]) > 0.6);
    assert!(cosine(&together[0], &together[2]) < 0.2);
}

#[test]
fn the_engine_computes_as_the_settings_say_from_its_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let base = locate_model_dir(None);
    let engine = hearth_core::Engine::open(dir.path(), &base).unwrap();
    assert_eq!(engine.embedding_compute(), EmbeddingCompute::Int8, "automatic, on this machine");
    settings::set_ingest(engine.db(), IngestSettings { compute: EmbeddingCompute::Fp32, ..Default::default() })
        .unwrap();
    assert_eq!(engine.embedding_compute(), EmbeddingCompute::Int8, "a running engine keeps its model");
    drop(engine);
    let engine = hearth_core::Engine::open(dir.path(), &base).unwrap();
    assert_eq!(engine.embedding_compute(), EmbeddingCompute::Fp32);
    assert_eq!(engine.model_status().model_id.as_deref(), Some("all-minilm-l6-v2-int8@8199be6f699a"));
}
