//! Reading text in images: PP-OCRv4 (the models of PaddleOCR, as RapidOCR ships them) on the ONNX
//! Runtime the embeddings use. Three models: a detector marks where text is ([`detect`]), a
//! classifier turns lines printed upside down ([`orient`]), a recognizer reads each line
//! ([`recognize`]). The steps around the models follow RapidOCR's pipeline and settings, written
//! here because the Rust wrappers of PP-OCR pin other versions of `ort` (see `docs/architecture.md`).
//!
//! Images come from untrusted files (a scan, a photo): this runs in the parser worker.

mod detect;
mod orient;
mod recognize;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use image::RgbImage;
use ort::session::Session;

use crate::error::{Error, Result};
use crate::models::embedding::{self, locate_model_dir};

/// Names the folder of the OCR models, when it is not beside the embedding model.
pub const OCR_DIR_ENV: &str = "HEARTH_OCR_DIR";
const DETECTOR: &str = "ch_PP-OCRv4_det_infer.onnx";
const CLASSIFIER: &str = "ch_ppocr_mobile_v2.0_cls_infer.onnx";
const RECOGNIZER: &str = "ch_PP-OCRv4_rec_infer.onnx";
/// Lines read with less confidence than this are dropped (RapidOCR's `text_score`).
const MIN_LINE_CONFIDENCE: f32 = 0.5;

/// A line of text found in an image.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrLine {
    pub text: String,
    /// The line's corners in pixels (top left, top right, bottom right, bottom left), origin at
    /// the image's top left.
    pub corners: [(f32, f32); 4],
    /// The recognizer's mean probability for the line's characters, 0 to 1.
    pub confidence: f32,
}

impl OcrLine {
    /// The axis-aligned box around the line: `[left, top, right, bottom]` in pixels.
    pub fn bounds(&self) -> [f32; 4] {
        let xs = self.corners.map(|c| c.0);
        let ys = self.corners.map(|c| c.1);
        let min = |v: [f32; 4]| v.into_iter().fold(f32::INFINITY, f32::min);
        let max = |v: [f32; 4]| v.into_iter().fold(f32::NEG_INFINITY, f32::max);
        [min(xs), min(ys), max(xs), max(ys)]
    }
}

/// The three models, loaded.
pub struct Ocr {
    detector: Mutex<Session>,
    classifier: Mutex<Session>,
    recognizer: Mutex<Session>,
    /// The recognizer's alphabet: index 0 is CTC's blank.
    characters: Vec<String>,
}

/// Where the OCR models are: `$HEARTH_OCR_DIR`, else `ocr/` beside the embedding model's folder.
pub fn models_dir() -> PathBuf {
    match std::env::var_os(OCR_DIR_ENV).filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => dir_beside(&locate_model_dir(None)),
    }
}

/// The OCR models' folder that belongs with the embedding model in `model_dir`.
pub fn dir_beside(model_dir: &Path) -> PathBuf {
    model_dir.parent().unwrap_or(model_dir).join("ocr")
}

/// The models, loaded once per process (the parser worker keeps them across files).
pub fn shared() -> Result<&'static Ocr> {
    static OCR: OnceLock<std::result::Result<Ocr, String>> = OnceLock::new();
    OCR.get_or_init(|| {
        let dir = models_dir();
        // ONNX Runtime ships with the embedding model, in the folder beside this one.
        let library = embedding::ort_library(&dir.with_file_name(embedding::MODEL_DIR_NAME));
        Ocr::load(&dir, &library).map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| Error::ModelUnavailable(e.clone()))
}

impl Ocr {
    /// Loads the models in `dir` on the ONNX Runtime library at `ort_library`.
    pub fn load(dir: &Path, ort_library: &Path) -> Result<Ocr> {
        let environment = embedding::ort_environment(ort_library)?;
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let open = |name: &str| -> Result<Session> {
            let path = dir.join(name);
            if !path.is_file() {
                return Err(Error::ModelUnavailable(format!(
                    "the OCR model {} is missing; run `python3 scripts/fetch_model.py`",
                    path.display()
                )));
            }
            let fail = |e: &dyn std::fmt::Display| {
                Error::ModelUnavailable(format!("cannot load the OCR model {}: {e}", path.display()))
            };
            // No memory pattern: ONNX Runtime keeps one per input shape, and every batch of lines
            // has its own width. (The arena stays: without it a page took twice as long in
            // process; the parser worker that held it is ended after each scan, which frees it.)
            Session::builder(&environment)
                .map_err(|e| fail(&e))?
                .with_memory_pattern(false)
                .map_err(|e| fail(&e))?
                .with_intra_threads(threads)
                .map_err(|e| fail(&e))?
                .with_inter_threads(1)
                .map_err(|e| fail(&e))?
                .commit_from_file(&path)
                .map_err(|e| fail(&e))
        };
        let recognizer = open(RECOGNIZER)?;
        let alphabet =
            recognizer.metadata().ok().and_then(|m| m.custom("character")).ok_or_else(|| {
                Error::ModelUnavailable(format!("the OCR recognizer {RECOGNIZER} has no character list"))
            })?;
        Ok(Ocr {
            detector: Mutex::new(open(DETECTOR)?),
            classifier: Mutex::new(open(CLASSIFIER)?),
            recognizer: Mutex::new(recognizer),
            characters: recognize::alphabet(&alphabet),
        })
    }

    /// The lines of text in `image`, in reading order (top to bottom, then left to right). A
    /// page the classifier finds upside down is also turned and read again, and the reading the
    /// recognizer is surer of is kept (the classifier alone is wrong on a page of two small
    /// lines); the lines' corners are given on `image` as it is.
    pub fn read(&self, image: &RgbImage) -> Result<Vec<OcrLine>> {
        let (boxes, crops) = self.lines_in(image)?;
        if crops.is_empty() {
            return Ok(Vec::new());
        }
        let upside_down = {
            let mut classifier = self.classifier.lock().unwrap_or_else(|e| e.into_inner());
            orient::upside_down(&mut classifier, &crops)?
        };
        let upright = self.recognized(boxes, &crops)?;
        if !upside_down {
            return Ok(upright);
        }
        let (w, h) = (image.width() as f32, image.height() as f32);
        let (boxes, crops) = self.lines_in(&image::imageops::rotate180(image))?;
        // A corner of the turned page is the opposite corner on the page as it is.
        let back = boxes.into_iter().map(|c| [c[2], c[3], c[0], c[1]].map(|(x, y)| (w - x, h - y))).collect();
        // In the turned page's reading order.
        let turned = self.recognized(back, &crops)?;
        Ok(if surety(&turned) > surety(&upright) { turned } else { upright })
    }

    /// The boxes of the lines in `image`, and each line cut out.
    fn lines_in(&self, image: &RgbImage) -> Result<(Vec<detect::Corners>, Vec<RgbImage>)> {
        let boxes = {
            let mut detector = self.detector.lock().unwrap_or_else(|e| e.into_inner());
            detect::text_boxes(&mut detector, image)?
        };
        let crops = boxes.iter().map(|corners| detect::crop(image, corners)).collect();
        Ok((boxes, crops))
    }

    /// The lines read in `crops`, with their boxes; lines read with little confidence are left out.
    fn recognized(&self, boxes: Vec<detect::Corners>, crops: &[RgbImage]) -> Result<Vec<OcrLine>> {
        let read = {
            let mut recognizer = self.recognizer.lock().unwrap_or_else(|e| e.into_inner());
            recognize::lines(&mut recognizer, &self.characters, crops)?
        };
        Ok(boxes
            .into_iter()
            .zip(read)
            .filter(|(_, (text, confidence))| *confidence >= MIN_LINE_CONFIDENCE && !text.trim().is_empty())
            .map(|(corners, (text, confidence))| OcrLine { text: text.trim().to_owned(), corners, confidence })
            .collect())
    }
}

/// How much was read, and how surely: the confidence summed over the characters read.
fn surety(lines: &[OcrLine]) -> f32 {
    lines.iter().map(|l| l.confidence * l.text.chars().count() as f32).sum()
}

/// The lines' mean confidence, each weighted by its length; `None` when nothing was read.
pub fn mean_confidence(lines: &[OcrLine]) -> Option<f32> {
    let chars: usize = lines.iter().map(|l| l.text.chars().count()).sum();
    (chars > 0).then(|| surety(lines) / chars as f32)
}

/// An ONNX Runtime failure while reading an image, as this file's error.
fn model_error(step: &str, e: impl std::fmt::Display) -> Error {
    Error::invalid(format!("OCR could not {step}: {e}"))
}

/// `image` as a `[1, 3, height, width]` tensor in BGR order (what PaddleOCR's models were trained
/// on), each value `(v / 255 - 0.5) / 0.5`, left-aligned in `width` columns padded with zeros.
fn normalized(image: &RgbImage, width: usize, out: &mut Vec<f32>) {
    let h = image.height() as usize;
    let start = out.len();
    out.resize(start + 3 * h * width, 0.0);
    let plane = h * width;
    for (x, y, pixel) in image.enumerate_pixels() {
        let (x, y) = (x as usize, y as usize);
        if x >= width {
            continue;
        }
        for (channel, value) in [pixel[2], pixel[1], pixel[0]].into_iter().enumerate() {
            out[start + channel * plane + y * width + x] = (f32::from(value) / 255.0 - 0.5) / 0.5;
        }
    }
}
