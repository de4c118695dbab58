//! Reading each line: PP-OCR's recognizer gives, for each step along the line, a probability for
//! every character of its alphabet; the best one per step, with repeats and CTC's blank dropped,
//! is the text, and the mean of their probabilities its confidence.

use image::RgbImage;
use ort::session::Session;
use ort::value::Tensor;

use super::orient::fit;
use super::{model_error, normalized};
use crate::error::Result;

/// The recognizer's input height, and the narrowest batch (RapidOCR's `rec_img_shape`).
const HEIGHT: u32 = 48;
const MIN_WIDTH: u32 = 320;
const BATCH: usize = 6;
/// A line is never stretched wider than this many times its height (the widest a page's line is).
const MAX_RATIO: f32 = 60.0;

/// The alphabet in the recognizer's metadata (one character a line), with CTC's blank first and
/// a space last, as PaddleOCR trained it. Lines split as Python's `splitlines` splits them.
pub(super) fn alphabet(metadata: &str) -> Vec<String> {
    let breaks = ['\n', '\r', '\u{b}', '\u{c}', '\u{1c}', '\u{1d}', '\u{1e}', '\u{85}', '\u{2028}', '\u{2029}'];
    let mut characters = vec![String::new()];
    let text = metadata.replace("\r\n", "\n");
    let text = text.strip_suffix(breaks).unwrap_or(&text);
    characters.extend(text.split(breaks).map(str::to_owned));
    characters.push(" ".to_owned());
    characters
}

/// Each line's text and confidence, in the order of `crops`.
pub(super) fn lines(session: &mut Session, alphabet: &[String], crops: &[RgbImage]) -> Result<Vec<(String, f32)>> {
    // Lines of similar proportions go together, so little of a batch is padding.
    let ratio = |c: &RgbImage| c.width() as f32 / c.height().max(1) as f32;
    let mut order: Vec<usize> = (0..crops.len()).collect();
    order.sort_by(|&a, &b| ratio(&crops[a]).total_cmp(&ratio(&crops[b])));
    let mut read = vec![(String::new(), 0.0); crops.len()];
    for batch in order.chunks(BATCH) {
        let widest = batch.iter().map(|&i| ratio(&crops[i])).fold(MIN_WIDTH as f32 / HEIGHT as f32, f32::max);
        let width = (HEIGHT as f32 * widest.min(MAX_RATIO)) as u32;
        let mut data = Vec::with_capacity(batch.len() * 3 * (HEIGHT * width) as usize);
        for &i in batch {
            normalized(&fit(&crops[i], HEIGHT, width), width as usize, &mut data);
        }
        let tensor = Tensor::from_array(([batch.len(), 3, HEIGHT as usize, width as usize], data))
            .map_err(|e| model_error("prepare lines for reading", e))?;
        let outputs = session.run(ort::inputs![tensor]).map_err(|e| model_error("read the lines", e))?;
        let (shape, probabilities) =
            outputs[0].try_extract_tensor::<f32>().map_err(|e| model_error("read the recognizer's output", e))?;
        let (steps, classes) = (shape[1] as usize, shape[2] as usize);
        for (n, &i) in batch.iter().enumerate() {
            let line = &probabilities[n * steps * classes..(n + 1) * steps * classes];
            read[i] = decode(line, classes, alphabet);
        }
    }
    Ok(read)
}

/// Greedy CTC decoding of one line's `steps × classes` probabilities.
fn decode(probabilities: &[f32], classes: usize, alphabet: &[String]) -> (String, f32) {
    let mut text = String::new();
    let (mut sum, mut kept) = (0.0f32, 0u32);
    let mut previous = usize::MAX;
    for step in probabilities.chunks(classes) {
        let (best, p) =
            step.iter().copied().enumerate().fold((0, f32::MIN), |a, (i, p)| if p > a.1 { (i, p) } else { a });
        if best != 0
            && best != previous
            && let Some(c) = alphabet.get(best)
        {
            text.push_str(c);
            sum += p;
            kept += 1;
        }
        previous = best;
    }
    let confidence = if kept == 0 { 0.0 } else { sum / kept as f32 };
    (text, confidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alphabet_has_the_blank_first_and_a_space_last() {
        let a = alphabet("a\nb\r\nc\n");
        assert_eq!(a, vec!["", "a", "b", "c", " "]);
    }

    #[test]
    fn repeats_and_blanks_are_dropped_and_confidence_is_the_kept_mean() {
        let alphabet = alphabet("h\ni");
        // steps: h, h, blank, i, i → "hi"; a blank between two h's would keep both.
        let one_hot = |class: usize, p: f32| {
            let mut v = vec![(1.0 - p) / 3.0; 4];
            v[class] = p;
            v
        };
        let steps: Vec<f32> =
            [one_hot(1, 0.9), one_hot(1, 0.8), one_hot(0, 0.99), one_hot(2, 0.7), one_hot(2, 0.6)].concat();
        let (text, confidence) = decode(&steps, 4, &alphabet);
        assert_eq!(text, "hi");
        assert!((confidence - 0.8).abs() < 1e-6, "{confidence}");
        let steps: Vec<f32> = [one_hot(1, 0.9), one_hot(0, 0.9), one_hot(1, 0.9)].concat();
        assert_eq!(decode(&steps, 4, &alphabet).0, "hh");
    }
}
