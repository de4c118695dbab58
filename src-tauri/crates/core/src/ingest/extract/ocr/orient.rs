//! Pages scanned the wrong way up: PP-OCR's small classifier says 0° or 180° for each line, and
//! the page may be upside down when most of its lines are (the recognizer has the last word). The classifier sees 48 × 192 pixels: a
//! whole line squeezed into that is unreadable (RapidOCR does squeeze it, and turns good lines
//! upside down), so it is shown the start of each line at its own proportions instead.

use image::RgbImage;
use image::imageops::{self, FilterType};
use ort::session::Session;
use ort::value::Tensor;

use super::{model_error, normalized};
use crate::error::Result;

/// The classifier's input: 48 pixels high, at most 192 wide.
const HEIGHT: u32 = 48;
const WIDTH: u32 = 192;
const BATCH: usize = 6;
/// A line counts as upside down only when the classifier is this sure.
const TURN_ABOVE: f32 = 0.9;

/// Whether most lines in `crops` are upside down, as the classifier sees them.
pub(super) fn upside_down(session: &mut Session, crops: &[RgbImage]) -> Result<bool> {
    let mut votes = 0;
    for batch in crops.chunks(BATCH) {
        let mut data = Vec::with_capacity(batch.len() * 3 * (HEIGHT * WIDTH) as usize);
        for crop in batch {
            // The first four heights of the line: as much as the input holds unsqueezed.
            let start = imageops::crop_imm(crop, 0, 0, crop.width().min(crop.height() * 4), crop.height()).to_image();
            normalized(&fit(&start, HEIGHT, WIDTH), WIDTH as usize, &mut data);
        }
        let tensor = Tensor::from_array(([batch.len(), 3, HEIGHT as usize, WIDTH as usize], data))
            .map_err(|e| model_error("prepare lines for the orientation check", e))?;
        let outputs = session.run(ort::inputs![tensor]).map_err(|e| model_error("check the lines' orientation", e))?;
        let (_, scores) =
            outputs[0].try_extract_tensor::<f32>().map_err(|e| model_error("read the lines' orientation", e))?;
        votes += scores.chunks(2).filter(|pair| pair.len() == 2 && pair[1] > pair[0] && pair[1] > TURN_ABOVE).count();
    }
    Ok(votes * 2 > crops.len())
}

/// `crop` resized to `height` pixels high, keeping its proportions, at most `max_width` wide.
pub(super) fn fit(crop: &RgbImage, height: u32, max_width: u32) -> RgbImage {
    let ratio = crop.width() as f32 / crop.height().max(1) as f32;
    let width = ((height as f32 * ratio).ceil() as u32).clamp(1, max_width);
    imageops::resize(crop, width, height, FilterType::Triangle)
}
