//! The real model through ONNX Runtime, from the files `scripts/fetch_model.py` provisions.

use std::path::Path;

use hearth_core::Error;
use hearth_core::models::embedding::{DIMENSIONS, Embedder, LocalEmbedder, locate_model_dir};

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn real() -> LocalEmbedder {
    LocalEmbedder::load(&locate_model_dir(None)).expect("the provisioned model loads (run scripts/setup.sh)")
}

#[test]
fn the_real_model_embeds_by_meaning() {
    let model = real();
    assert_eq!(model.dimensions(), DIMENSIONS);
    assert_eq!(model.model_id(), "all-minilm-l6-v2-int8@8199be6f699a", "the id names the exact weights");
    let texts = [
        "How do I bake sourdough bread at home?",
        "A recipe for baking a loaf of bread with a sourdough starter.",
        "The central bank raised interest rates to fight inflation.",
    ];
    let v = model.embed(&texts).unwrap();
    assert_eq!(v.len(), 3);
    for vector in &v {
        assert_eq!(vector.len(), DIMENSIONS);
        let norm = cosine(vector, vector).sqrt();
        assert!((norm - 1.0).abs() < 1e-3, "unit length, got {norm}");
    }
    let related = cosine(&v[0], &v[1]);
    let unrelated = cosine(&v[0], &v[2]);
    assert!(related > 0.6, "related texts: {related}");
    assert!(unrelated < 0.2, "unrelated texts: {unrelated}");
}

#[test]
fn a_text_gets_the_same_vector_alone_or_in_a_batch() {
    let model = real();
    let texts = ["short", "a much longer sentence that pads the batch with many more tokens than the first one has"];
    let batch = model.embed(&texts).unwrap();
    let alone = model.embed(&texts[..1]).unwrap();
    assert!(cosine(&batch[0], &alone[0]) > 0.9999);
    assert!(model.embed(&[]).unwrap().is_empty());
}

#[test]
fn a_missing_model_is_a_clear_error() {
    let err = LocalEmbedder::load(Path::new("/nonexistent/model")).err().expect("fails");
    assert!(matches!(err, Error::ModelUnavailable(_)), "{err}");
    assert!(err.to_string().contains("fetch_model.py"), "{err}");
}

#[test]
fn a_corrupt_model_file_is_a_clear_error_not_a_panic() {
    let source = locate_model_dir(None);
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let onnx = std::fs::read(source.join("model.onnx")).unwrap();
    std::fs::write(dir.path().join("model.onnx"), &onnx[..onnx.len() / 3]).unwrap();
    let err = LocalEmbedder::load(dir.path()).err().expect("fails");
    assert!(matches!(err, Error::ModelUnavailable(_)), "{err}");
}

#[test]
fn the_whole_window_counts_nothing_is_cut_at_128_tokens() {
    // tokenizer.json pins truncation at 128 tokens; the model must see up to 256. If it saw only
    // 128, a text whose first ~150 tokens repeat a sentence would embed like that sentence alone.
    let model = real();
    let head = "The lighthouse keeper trimmed the wick and polished the lens before the storm. ".repeat(10);
    let tail = "Quarterly tax invoices are due thirty days after the contract's billing date. ".repeat(5);
    let chunker = hearth_core::ingest::chunking::Chunker::load(&locate_model_dir(None), 254, 0).unwrap();
    let tokens = chunker.count(&(head.clone() + &tail)).unwrap();
    assert!((170..=254).contains(&tokens), "the test text must straddle 128 tokens: {tokens}");
    let v = model.embed(&[&head, &(head.clone() + &tail)]).unwrap();
    let similarity = cosine(&v[0], &v[1]);
    assert!(similarity < 0.97, "the tail changed nothing (cosine {similarity}): input cut at 128 tokens");
}
