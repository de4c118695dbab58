//! Where the text is: PP-OCR's detector draws a map of how likely each pixel is text (the DB
//! method); the map is thresholded, each blob's smallest rotated rectangle is scored and grown
//! (the model marks a line's core, narrower than its ink), and each line is cut out upright for
//! the recognizer. Sizes and thresholds are RapidOCR's.

use image::imageops::{self, FilterType};
use image::{GrayImage, Luma, RgbImage};
use imageproc::contours::{BorderType, find_contours};
use imageproc::distance_transform::Norm;
use imageproc::geometric_transformations::{Border, Interpolation, Projection, warp_into};
use imageproc::geometry::min_area_rect;
use imageproc::morphology::dilate_mut;
use ort::session::Session;
use ort::value::Tensor;

use super::{model_error, normalized};
use crate::error::Result;

/// A line's corners in the image's pixels: top left, top right, bottom right, bottom left.
pub(super) type Corners = [(f32, f32); 4];

/// The detector's input: the longer side at most this (RapidOCR's `max_side_len`). Measured on
/// Debian manuals scanned at 300 dpi, 1,536 reads as many of their words (0.988 against 0.982)
/// in 15 % less time and memory, but loses small print: a line of 6-point type came out as
/// "Thispawcardse" (BENCHMARKS.md)…
const MAX_SIDE: f32 = 2000.0;
/// …and the shorter side at least this (`limit_side_len` with `limit_type: min`).
const MIN_SIDE: f32 = 736.0;
/// A pixel is text above this probability.
const THRESHOLD: f32 = 0.3;
/// A blob is a line when its mean probability is above this.
const BOX_THRESHOLD: f32 = 0.5;
const MAX_CANDIDATES: usize = 1000;
/// How far a line's core is grown: by area × ratio / perimeter on every side.
const UNCLIP_RATIO: f32 = 1.6;
/// Blobs thinner than this (in the detector's pixels) are noise.
const MIN_SIZE: f32 = 3.0;

/// The lines of text in `image`, in reading order.
pub(super) fn text_boxes(session: &mut Session, image: &RgbImage) -> Result<Vec<Corners>> {
    let (width, height) = image.dimensions();
    if width < 4 || height < 4 {
        return Ok(Vec::new());
    }
    let (input_w, input_h) = input_size(width, height);
    let resized = imageops::resize(image, input_w, input_h, FilterType::Triangle);
    let mut data = Vec::with_capacity(3 * (input_w * input_h) as usize);
    normalized(&resized, input_w as usize, &mut data);
    let tensor = Tensor::from_array(([1usize, 3, input_h as usize, input_w as usize], data))
        .map_err(|e| model_error("prepare the page for text detection", e))?;
    let outputs = session.run(ort::inputs![tensor]).map_err(|e| model_error("detect text", e))?;
    let (_, map) = outputs[0].try_extract_tensor::<f32>().map_err(|e| model_error("read the text map", e))?;
    let scale = (width as f32 / input_w as f32, height as f32 / input_h as f32);
    let mut boxes = boxes_from_map(map, input_w, input_h, scale, (width as f32, height as f32));
    reading_order(&mut boxes);
    Ok(boxes)
}

/// RapidOCR's sizing: shrink so the longer side fits, grow so the shorter side is large enough,
/// then round both to a multiple of 32 (the network's stride).
fn input_size(width: u32, height: u32) -> (u32, u32) {
    let (mut w, mut h) = (width as f32, height as f32);
    if w.max(h) > MAX_SIDE {
        let ratio = MAX_SIDE / w.max(h);
        (w, h) = (w * ratio, h * ratio);
    }
    if w.min(h) < MIN_SIDE {
        let ratio = MIN_SIDE / w.min(h);
        (w, h) = (w * ratio, h * ratio);
    }
    // Python's round, which RapidOCR uses, rounds halves to even.
    let round = |v: f32| (((v / 32.0).round_ties_even() as u32) * 32).max(32);
    (round(w), round(h))
}

/// The probability map's lines, scaled back to the image by `scale` and kept inside `limit`.
fn boxes_from_map(map: &[f32], width: u32, height: u32, scale: (f32, f32), limit: (f32, f32)) -> Vec<Corners> {
    let mut bitmap = GrayImage::from_fn(width, height, |x, y| {
        Luma([if map[(y * width + x) as usize] > THRESHOLD { 255 } else { 0 }])
    });
    // RapidOCR dilates with a 2×2 kernel; the smallest dilation here is a 3×3 one.
    dilate_mut(&mut bitmap, Norm::LInf, 1);
    let mut boxes = Vec::new();
    for contour in find_contours::<i32>(&bitmap).iter().filter(|c| c.border_type == BorderType::Outer) {
        if boxes.len() >= MAX_CANDIDATES {
            break;
        }
        if contour.points.len() < 3 {
            continue;
        }
        let (corners, short) = mini_box(&min_area_rect(&contour.points).map(|p| (p.x as f32, p.y as f32)));
        if short < MIN_SIZE || mean_inside(map, width, height, &corners) < BOX_THRESHOLD {
            continue;
        }
        let (grown, short) = mini_box(&unclip(&corners));
        if short < MIN_SIZE + 2.0 {
            continue;
        }
        let placed = grown.map(|(x, y)| ((x * scale.0).clamp(0.0, limit.0), (y * scale.1).clamp(0.0, limit.1)));
        let (w, h) = side_lengths(&placed);
        if w > 3.0 && h > 3.0 {
            boxes.push(placed);
        }
    }
    boxes
}

/// A rectangle's corners ordered top left, top right, bottom right, bottom left (as RapidOCR's
/// `get_mini_boxes` orders them), and its shorter side.
fn mini_box(points: &[(f32, f32); 4]) -> (Corners, f32) {
    let mut sorted = *points;
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (left, right) = sorted.split_at(2);
    let (top_left, bottom_left) = if left[0].1 <= left[1].1 { (left[0], left[1]) } else { (left[1], left[0]) };
    let (top_right, bottom_right) = if right[0].1 <= right[1].1 { (right[0], right[1]) } else { (right[1], right[0]) };
    let corners = [top_left, top_right, bottom_right, bottom_left];
    let (w, h) = side_lengths(&corners);
    (corners, w.min(h))
}

fn distance(a: (f32, f32), b: (f32, f32)) -> f32 {
    (a.0 - b.0).hypot(a.1 - b.1)
}

/// The width (top edge) and height (left edge) of a rectangle given by its ordered corners.
fn side_lengths(c: &Corners) -> (f32, f32) {
    (distance(c[0], c[1]), distance(c[0], c[3]))
}

/// The mean probability inside the quadrilateral (RapidOCR's "fast" box score).
fn mean_inside(map: &[f32], width: u32, height: u32, corners: &Corners) -> f32 {
    let xs = corners.map(|c| c.0);
    let ys = corners.map(|c| c.1);
    let lo = |v: [f32; 4], max: u32| (v.into_iter().fold(f32::INFINITY, f32::min).floor().max(0.0) as u32).min(max - 1);
    let hi = |v: [f32; 4], max: u32| (v.into_iter().fold(0.0, f32::max).ceil() as u32).min(max - 1);
    let (mut sum, mut count) = (0.0f32, 0u32);
    for y in lo(ys, height)..=hi(ys, height) {
        for x in lo(xs, width)..=hi(xs, width) {
            if inside(corners, (x as f32, y as f32)) {
                sum += map[(y * width + x) as usize];
                count += 1;
            }
        }
    }
    if count == 0 { 0.0 } else { sum / count as f32 }
}

/// Whether `p` is inside (or on) the convex quadrilateral `c`, whichever way round it winds.
fn inside(c: &Corners, p: (f32, f32)) -> bool {
    let cross = |a: (f32, f32), b: (f32, f32)| (b.0 - a.0) * (p.1 - a.1) - (b.1 - a.1) * (p.0 - a.0);
    let sides: Vec<f32> = (0..4).map(|i| cross(c[i], c[(i + 1) % 4])).collect();
    sides.iter().all(|&s| s >= -0.5) || sides.iter().all(|&s| s <= 0.5)
}

/// The rectangle grown outward by `area × UNCLIP_RATIO / perimeter` on every side (what
/// RapidOCR's polygon offset does to a rectangle, corners aside).
fn unclip(c: &Corners) -> [(f32, f32); 4] {
    let (w, h) = side_lengths(c);
    let perimeter = 2.0 * (w + h);
    if perimeter <= 0.0 {
        return *c;
    }
    let d = w * h * UNCLIP_RATIO / perimeter;
    let unit = |a: (f32, f32), b: (f32, f32)| {
        let len = distance(a, b).max(f32::EPSILON);
        ((b.0 - a.0) / len, (b.1 - a.1) / len)
    };
    let across = unit(c[0], c[1]);
    let down = unit(c[0], c[3]);
    let shift = |p: (f32, f32), sx: f32, sy: f32| {
        (p.0 + d * (sx * across.0 + sy * down.0), p.1 + d * (sx * across.1 + sy * down.1))
    };
    [shift(c[0], -1.0, -1.0), shift(c[1], 1.0, -1.0), shift(c[2], 1.0, 1.0), shift(c[3], -1.0, 1.0)]
}

/// Top to bottom, and left to right within a line (tops within 10 px are one line), as RapidOCR
/// sorts.
fn reading_order(boxes: &mut [Corners]) {
    boxes.sort_by(|a, b| a[0].1.total_cmp(&b[0].1).then(a[0].0.total_cmp(&b[0].0)));
    for i in 0..boxes.len().saturating_sub(1) {
        for j in (0..=i).rev() {
            if (boxes[j + 1][0].1 - boxes[j][0].1).abs() < 10.0 && boxes[j + 1][0].0 < boxes[j][0].0 {
                boxes.swap(j, j + 1);
            } else {
                break;
            }
        }
    }
}

/// The line inside `corners`, cut out and straightened; a line much taller than wide (vertical
/// text) is turned to lie flat.
pub(super) fn crop(image: &RgbImage, corners: &Corners) -> RgbImage {
    let width = distance(corners[0], corners[1]).max(distance(corners[2], corners[3])).round().max(1.0);
    let height = distance(corners[0], corners[3]).max(distance(corners[1], corners[2])).round().max(1.0);
    let target = [(0.0, 0.0), (width, 0.0), (width, height), (0.0, height)];
    let mut out = RgbImage::new(width as u32, height as u32);
    match Projection::from_control_points(*corners, target) {
        Some(projection) => {
            warp_into(image, projection, Interpolation::Bilinear, Border::Replicate, &mut out);
        }
        // A degenerate box: its axis-aligned bounds instead.
        None => {
            let xs = corners.map(|c| c.0 as u32);
            let ys = corners.map(|c| c.1 as u32);
            let (x, y) = (xs.into_iter().min().unwrap_or(0), ys.into_iter().min().unwrap_or(0));
            out = imageops::crop_imm(image, x, y, width as u32, height as u32).to_image();
        }
    }
    if height / width >= 1.5 { imageops::rotate270(&out) } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    const WHITE: Rgb<u8> = Rgb([255, 255, 255]);

    #[test]
    fn the_input_is_sized_as_rapidocr_sizes_it() {
        // A 200-dpi letter page: the longer side shrinks to 2000, the other in proportion,
        // rounded to the stride.
        assert_eq!(input_size(1700, 2200), (1536, 1984));
        // A small image grows until its shorter side is 736.
        assert_eq!(input_size(300, 100), (2208, 736));
        assert_eq!(input_size(1000, 800), (992, 800));
    }

    #[test]
    fn a_blob_on_the_map_becomes_a_grown_box_in_image_pixels() {
        // A 40×8 line of high probability at (20, 30) on a 100×64 map, the image twice as large.
        let (w, h) = (100u32, 64u32);
        let map: Vec<f32> = (0..w * h)
            .map(|i| {
                let (x, y) = (i % w, i / w);
                if (20..60).contains(&x) && (30..38).contains(&y) { 0.9 } else { 0.0 }
            })
            .collect();
        let boxes = boxes_from_map(&map, w, h, (2.0, 2.0), (200.0, 128.0));
        assert_eq!(boxes.len(), 1, "{boxes:?}");
        let [left, top, right, bottom] = [boxes[0][0].0, boxes[0][0].1, boxes[0][2].0, boxes[0][2].1];
        // Grown by about 40×8×1.6/96 ≈ 5.3 map pixels on each side (plus the dilation), then doubled.
        assert!(left < 40.0 && left > 20.0, "{left}");
        assert!(right > 118.0 && right < 140.0, "{right}");
        assert!(top < 60.0 && top > 40.0, "{top}");
        assert!(bottom > 74.0 && bottom < 96.0, "{bottom}");
    }

    #[test]
    fn faint_and_tiny_blobs_are_not_lines() {
        let (w, h) = (64u32, 64u32);
        let map: Vec<f32> = (0..w * h)
            .map(|i| {
                let (x, y) = (i % w, i / w);
                // A faint line (above the pixel threshold, below the box threshold) and a speck.
                if (5..50).contains(&x) && (5..12).contains(&y) {
                    0.35
                } else if x == 40 && y == 40 {
                    0.99
                } else {
                    0.0
                }
            })
            .collect();
        assert!(boxes_from_map(&map, w, h, (1.0, 1.0), (64.0, 64.0)).is_empty());
    }

    #[test]
    fn lines_are_read_top_to_bottom_then_left_to_right() {
        let at = |x: f32, y: f32| [(x, y), (x + 10.0, y), (x + 10.0, y + 5.0), (x, y + 5.0)];
        let mut boxes = vec![at(50.0, 102.0), at(0.0, 200.0), at(0.0, 100.0)];
        reading_order(&mut boxes);
        assert_eq!(boxes, vec![at(0.0, 100.0), at(50.0, 102.0), at(0.0, 200.0)]);
    }

    #[test]
    fn a_crop_is_the_box_straightened() {
        let mut image = RgbImage::from_pixel(100, 50, WHITE);
        for x in 10..30 {
            image.put_pixel(x, 20, Rgb([0, 0, 0]));
        }
        let crop = crop(&image, &[(10.0, 15.0), (30.0, 15.0), (30.0, 25.0), (10.0, 25.0)]);
        assert_eq!(crop.dimensions(), (20, 10));
        assert_eq!(crop.get_pixel(5, 5), &Rgb([0, 0, 0]));
        assert_eq!(crop.get_pixel(5, 1), &WHITE);
    }
}
