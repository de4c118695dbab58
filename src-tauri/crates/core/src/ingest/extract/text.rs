//! Text encodings are detected, never assumed: a byte-order mark decides first, then strict UTF-8,
//! then chardetng's guess among legacy 8-bit encodings.

/// Decodes text whatever its encoding: BOM (UTF-8, UTF-16 LE/BE), else valid UTF-8, else the
/// legacy encoding chardetng detects.
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return text.into_owned();
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_owned();
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let encoding = detector.guess(None, true);
    let (text, _, _) = encoding.decode(bytes);
    text.into_owned()
}
