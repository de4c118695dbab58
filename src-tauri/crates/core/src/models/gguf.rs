//! Reading a GGUF file's header (format version, metadata, tensor table) without loading the
//! model: what the Models list shows (name, parameters, quantization, trained context, size), and
//! the check a file passes before llama.cpp may load it. A file chosen by a person is untrusted,
//! so every count and length is bounded by the file's own size, nothing is allocated from a
//! number the file claims, and a truncated file is caught by comparing where its tensors end with
//! where the file does.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};

/// "GGUF", the first four bytes of every such file.
const MAGIC: &[u8; 4] = b"GGUF";
/// Most metadata entries a header may have (real models have tens).
const MAX_KV: u64 = 100_000;
/// Longest string value kept (chat templates are a few KB); longer ones are skipped over.
const MAX_KEPT_STRING: u64 = 1 << 20;
/// Most dimensions of a tensor (ggml's `GGML_MAX_DIMS`).
const MAX_DIMS: u32 = 4;
/// The data section's alignment when the header does not say.
const DEFAULT_ALIGNMENT: u64 = 32;

/// What a GGUF file's header says about the model in it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export_to = "GgufInfo.ts")]
pub struct GgufInfo {
    /// The file's name, e.g. `SmolLM2-135M-Instruct.Q4_1.gguf`.
    pub file_name: String,
    #[ts(type = "number")]
    pub size_bytes: u64,
    /// `general.name`, when the file has one.
    pub name: Option<String>,
    /// `general.architecture`: `llama`, `qwen2`, `gemma3`, …
    pub architecture: Option<String>,
    /// Weights, counted from the tensor table.
    #[ts(type = "number")]
    pub parameters: u64,
    /// The quantization (`Q4_K_M`, `Q8_0`, `F16`, …) from `general.file_type`, else the most
    /// common tensor type.
    pub quantization: String,
    /// The context the model was trained with (`<architecture>.context_length`), in tokens.
    #[ts(type = "number | null")]
    pub trained_context: Option<u64>,
    /// Whether the file carries its chat template (`tokenizer.chat_template`).
    pub has_chat_template: bool,
}

impl GgufInfo {
    /// The name a person knows the model by: its file's name without `.gguf` (what LM Studio and
    /// GPT4All show; `general.name` is often a training run's name).
    pub fn display_name(&self) -> &str {
        self.file_name.strip_suffix(".gguf").unwrap_or(&self.file_name)
    }

    /// A short label: "SmolLM2-135M-Instruct.Q4_1 · 135M params · Q4_1".
    pub fn label(&self) -> String {
        format!("{} · {} params · {}", self.display_name(), short_count(self.parameters), self.quantization)
    }
}

/// Reads and checks the header of the GGUF file at `path`. A file that is not GGUF, has a
/// damaged header, or is shorter than its tensors need is `InvalidInput` with the reason.
pub fn read(path: &Path) -> Result<GgufInfo> {
    let file_name =
        path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
    let file = File::open(path).map_err(|e| Error::invalid(format!("{file_name} cannot be opened ({e})")))?;
    let size = file.metadata().map_err(|e| Error::invalid(format!("{file_name} cannot be read ({e})")))?.len();
    let mut reader = Reader { inner: BufReader::new(file), position: 0, size, file_name: &file_name };
    reader.header(size).map(|mut info| {
        info.file_name = file_name.clone();
        info
    })
}

/// A scalar metadata value; arrays are skipped.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Bool(bool),
    Text(String),
    /// A string longer than [`MAX_KEPT_STRING`], or an array: present, not kept.
    Skipped,
}

impl Value {
    fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::Unsigned(v) => Some(v),
            Value::Signed(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(text) => Some(text),
            _ => None,
        }
    }
}

struct Reader<'a> {
    inner: BufReader<File>,
    position: u64,
    size: u64,
    file_name: &'a str,
}

impl Reader<'_> {
    fn damaged(&self, what: impl std::fmt::Display) -> Error {
        Error::invalid(format!("{} is not a usable GGUF model file: {what}", self.file_name))
    }

    fn remaining(&self) -> u64 {
        self.size.saturating_sub(self.position)
    }

    fn bytes<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut buffer = [0u8; N];
        self.inner
            .read_exact(&mut buffer)
            .map_err(|_| self.damaged(format!("it ends inside its header, at byte {}", self.position)))?;
        self.position += N as u64;
        Ok(buffer)
    }

    fn u32(&mut self) -> Result<u32> {
        self.bytes::<4>().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Result<u64> {
        self.bytes::<8>().map(u64::from_le_bytes)
    }

    /// A count the file claims, checked against what is left of the file: each counted item
    /// takes at least `min_bytes`.
    fn count(&mut self, what: &str, min_bytes: u64, max: u64) -> Result<u64> {
        let count = self.u64()?;
        if count > max || count.saturating_mul(min_bytes) > self.remaining() {
            return Err(self.damaged(format!("it claims {count} {what}, more than the file can hold")));
        }
        Ok(count)
    }

    fn skip(&mut self, bytes: u64) -> Result<()> {
        if bytes > self.remaining() {
            return Err(self.damaged(format!("it ends inside its header, at byte {}", self.size)));
        }
        self.inner
            .seek_relative(i64::try_from(bytes).map_err(|_| self.damaged("a length is out of range"))?)
            .map_err(|e| self.damaged(e))?;
        self.position += bytes;
        Ok(())
    }

    /// A string, kept when short enough, else skipped.
    fn string(&mut self) -> Result<Option<String>> {
        let length = self.count("bytes of text", 1, u64::MAX)?;
        if length > MAX_KEPT_STRING {
            self.skip(length)?;
            return Ok(None);
        }
        let mut buffer = vec![0u8; length as usize];
        self.inner.read_exact(&mut buffer).map_err(|e| self.damaged(e))?;
        self.position += length;
        Ok(Some(String::from_utf8_lossy(&buffer).into_owned()))
    }

    fn value(&mut self, kind: u32) -> Result<Value> {
        Ok(match kind {
            0 => Value::Unsigned(self.bytes::<1>()?[0].into()),
            1 => Value::Signed(i8::from_le_bytes(self.bytes::<1>()?).into()),
            2 => Value::Unsigned(u16::from_le_bytes(self.bytes::<2>()?).into()),
            3 => Value::Signed(i16::from_le_bytes(self.bytes::<2>()?).into()),
            4 => Value::Unsigned(self.u32()?.into()),
            5 => Value::Signed(i32::from_le_bytes(self.bytes::<4>()?).into()),
            6 => Value::Float(f32::from_le_bytes(self.bytes::<4>()?).into()),
            7 => Value::Bool(self.bytes::<1>()?[0] != 0),
            8 => self.string()?.map_or(Value::Skipped, Value::Text),
            9 => {
                let element = self.u32()?;
                let width = match element {
                    0 | 1 | 7 => 1,
                    2 | 3 => 2,
                    4..=6 => 4,
                    10..=12 => 8,
                    8 => 8, // a string: at least its length
                    other => return Err(self.damaged(format!("an array of unknown type {other}"))),
                };
                let count = self.count("array elements", width, u64::MAX)?;
                if element == 8 {
                    for _ in 0..count {
                        let length = self.count("bytes of text", 1, u64::MAX)?;
                        self.skip(length)?;
                    }
                } else {
                    self.skip(count * width)?;
                }
                Value::Skipped
            }
            10 => Value::Unsigned(self.u64()?),
            11 => Value::Signed(i64::from_le_bytes(self.bytes::<8>()?)),
            12 => Value::Float(f64::from_le_bytes(self.bytes::<8>()?)),
            other => return Err(self.damaged(format!("a value of unknown type {other}"))),
        })
    }

    fn header(&mut self, size: u64) -> Result<GgufInfo> {
        if &self.bytes::<4>().map_err(|_| self.not_gguf())? != MAGIC {
            return Err(self.not_gguf());
        }
        let version = self.u32()?;
        if !(2..=3).contains(&version) {
            return Err(self.damaged(format!("GGUF version {version} (this build reads versions 2 and 3)")));
        }
        // A tensor's entry is at least a name length, a dimension count, one dimension, a type
        // and an offset.
        let tensors = self.count("tensors", 8 + 4 + 8 + 4 + 8, u64::MAX)?;
        let kv_count = self.count("metadata entries", 8 + 4 + 1, MAX_KV)?;
        let mut metadata: HashMap<String, Value> = HashMap::new();
        for _ in 0..kv_count {
            let key = self.string()?.ok_or_else(|| self.damaged("a metadata key is too long"))?;
            let kind = self.u32()?;
            let value = self.value(kind)?;
            metadata.insert(key, value);
        }

        let mut parameters: u64 = 0;
        let mut data_end: u64 = 0;
        let mut by_type: HashMap<u32, u64> = HashMap::new();
        for _ in 0..tensors {
            self.string()?.ok_or_else(|| self.damaged("a tensor name is too long"))?;
            let dims = self.u32()?;
            if dims == 0 || dims > MAX_DIMS {
                return Err(self.damaged(format!("a tensor with {dims} dimensions")));
            }
            let mut elements: u64 = 1;
            for _ in 0..dims {
                elements =
                    elements.checked_mul(self.u64()?).ok_or_else(|| self.damaged("a tensor's size overflows"))?;
            }
            let kind = self.u32()?;
            let offset = self.u64()?;
            parameters = parameters.saturating_add(elements);
            *by_type.entry(kind).or_default() += elements;
            // Types this build does not know the size of still count, but only their start can
            // be checked against the file's end.
            let bytes = tensor_bytes(kind, elements).unwrap_or(0);
            data_end = data_end.max(offset.saturating_add(bytes));
        }

        let alignment = metadata.get("general.alignment").and_then(Value::as_u64).unwrap_or(DEFAULT_ALIGNMENT).max(1);
        let data_start = self.position.div_ceil(alignment).saturating_mul(alignment);
        let needed = data_start.saturating_add(data_end);
        if needed > size {
            return Err(Error::invalid(format!(
                "{} is truncated: its tensors need {} bytes and the file has {size} (was it copied or downloaded \
                 whole?)",
                self.file_name, needed
            )));
        }

        let architecture = metadata.get("general.architecture").and_then(Value::as_str).map(str::to_owned);
        let trained_context = architecture
            .as_deref()
            .and_then(|arch| metadata.get(&format!("{arch}.context_length")))
            .and_then(Value::as_u64);
        let quantization = metadata
            .get("general.file_type")
            .and_then(Value::as_u64)
            .and_then(file_type_name)
            .map(str::to_owned)
            .or_else(|| by_type.iter().max_by_key(|(_, n)| **n).map(|(kind, _)| tensor_type_name(*kind).to_owned()))
            .unwrap_or_else(|| "unknown".to_owned());
        Ok(GgufInfo {
            file_name: String::new(),
            size_bytes: size,
            name: metadata.get("general.name").and_then(Value::as_str).map(str::to_owned),
            architecture,
            parameters,
            quantization,
            trained_context,
            has_chat_template: metadata.contains_key("tokenizer.chat_template"),
        })
    }

    fn not_gguf(&self) -> Error {
        Error::invalid(format!(
            "{} is not a GGUF model file (it does not start with \"GGUF\"); Hearth runs GGUF models, as \
             llama.cpp, LM Studio, GPT4All, Jan and Ollama use",
            self.file_name
        ))
    }
}

/// Bytes `elements` weights of ggml type `kind` take (ggml's block sizes), when known.
fn tensor_bytes(kind: u32, elements: u64) -> Option<u64> {
    let (block, bytes) = match kind {
        0 => (1, 4),           // F32
        1 | 30 => (1, 2),      // F16, BF16
        2 => (32, 18),         // Q4_0
        3 => (32, 20),         // Q4_1
        6 => (32, 22),         // Q5_0
        7 => (32, 24),         // Q5_1
        8 => (32, 34),         // Q8_0
        9 => (32, 36),         // Q8_1
        10 => (256, 84),       // Q2_K
        11 | 21 => (256, 110), // Q3_K, IQ3_S
        12 => (256, 144),      // Q4_K
        13 => (256, 176),      // Q5_K
        14 => (256, 210),      // Q6_K
        15 => (256, 292),      // Q8_K
        16 | 35 => (256, 66),  // IQ2_XXS, TQ2_0
        17 => (256, 74),       // IQ2_XS
        18 => (256, 98),       // IQ3_XXS
        19 => (256, 50),       // IQ1_S
        20 => (32, 18),        // IQ4_NL
        22 => (256, 82),       // IQ2_S
        23 => (256, 136),      // IQ4_XS
        24 => (1, 1),          // I8
        25 => (1, 2),          // I16
        26 => (1, 4),          // I32
        27 | 28 => (1, 8),     // I64, F64
        29 => (256, 56),       // IQ1_M
        34 => (256, 54),       // TQ1_0
        39 => (32, 17),        // MXFP4
        _ => return None,
    };
    Some(elements.div_ceil(block).saturating_mul(bytes))
}

/// The name of ggml tensor type `kind`.
fn tensor_type_name(kind: u32) -> &'static str {
    const NAMES: &[&str] = &[
        "F32", "F16", "Q4_0", "Q4_1", "", "", "Q5_0", "Q5_1", "Q8_0", "Q8_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K",
        "Q8_K", "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS", "I8", "I16", "I32",
        "I64", "F64", "IQ1_M", "BF16", "", "", "", "TQ1_0", "TQ2_0", "", "", "", "MXFP4",
    ];
    NAMES.get(kind as usize).copied().filter(|n| !n.is_empty()).unwrap_or("unknown")
}

/// The name of llama.cpp's `general.file_type` (its `llama_ftype`).
fn file_type_name(file_type: u64) -> Option<&'static str> {
    Some(match file_type {
        0 => "F32",
        1 => "F16",
        2 => "Q4_0",
        3 => "Q4_1",
        7 => "Q8_0",
        8 => "Q5_0",
        9 => "Q5_1",
        10 => "Q2_K",
        11 => "Q3_K_S",
        12 => "Q3_K_M",
        13 => "Q3_K_L",
        14 => "Q4_K_S",
        15 => "Q4_K_M",
        16 => "Q5_K_S",
        17 => "Q5_K_M",
        18 => "Q6_K",
        19 => "IQ2_XXS",
        20 => "IQ2_XS",
        21 => "Q2_K_S",
        22 => "IQ3_XS",
        23 => "IQ3_XXS",
        24 => "IQ1_S",
        25 => "IQ4_NL",
        26 => "IQ3_S",
        27 => "IQ3_M",
        28 => "IQ2_S",
        29 => "IQ2_M",
        30 => "IQ4_XS",
        31 => "IQ1_M",
        32 => "BF16",
        36 => "TQ1_0",
        37 => "TQ2_0",
        38 => "MXFP4_MOE",
        _ => return None,
    })
}

/// 134,515,008 → "135M"; 7,241,732,096 → "7.2B".
pub fn short_count(n: u64) -> String {
    let n = n as f64;
    match n {
        n if n >= 1e9 => format!("{:.1}B", n / 1e9),
        n if n >= 1e6 => format!("{:.0}M", n / 1e6),
        n if n >= 1e3 => format!("{:.0}K", n / 1e3),
        n => format!("{n}"),
    }
}

/// Refuses a model whose weights cannot fit in the memory this machine has free (they are
/// memory-mapped: a model far larger than memory would thrash rather than answer).
pub fn check_fits_memory(info: &GgufInfo) -> Result<()> {
    let Some(available) = available_memory() else {
        return Ok(());
    };
    if info.size_bytes > available {
        return Err(Error::invalid(format!(
            "{} needs about {:.1} GB and this machine has {:.1} GB of memory free; choose a smaller model or a \
             smaller quantization",
            info.file_name,
            info.size_bytes as f64 / 1e9,
            available as f64 / 1e9
        )));
    }
    Ok(())
}

/// `MemAvailable` from /proc/meminfo, in bytes (Linux); `None` elsewhere.
fn available_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kb: u64 = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A GGUF file written by hand: `kvs` string metadata and one F32 tensor of `elements`,
    /// cut to `keep` bytes when given.
    fn tiny_gguf(kvs: &[(&str, &str)], elements: u64, keep: Option<usize>) -> Vec<u8> {
        let mut out = header_of(kvs, elements);
        out.extend(std::iter::repeat_n(0u8, (elements * 4) as usize));
        if let Some(keep) = keep {
            out.truncate(keep);
        }
        out
    }

    /// The header (and alignment) of [`tiny_gguf`]'s file, without the tensor's data.
    fn header_of(kvs: &[(&str, &str)], elements: u64) -> Vec<u8> {
        let mut out = Vec::new();
        let string = |out: &mut Vec<u8>, s: &str| {
            out.extend((s.len() as u64).to_le_bytes());
            out.extend(s.as_bytes());
        };
        out.extend(MAGIC);
        out.extend(3u32.to_le_bytes());
        out.extend(1u64.to_le_bytes());
        out.extend((kvs.len() as u64 + 1).to_le_bytes());
        for (key, value) in kvs {
            string(&mut out, key);
            out.extend(8u32.to_le_bytes());
            string(&mut out, value);
        }
        string(&mut out, "llama.context_length");
        out.extend(4u32.to_le_bytes());
        out.extend(8192u32.to_le_bytes());
        string(&mut out, "token_embd.weight");
        out.extend(1u32.to_le_bytes());
        out.extend(elements.to_le_bytes());
        out.extend(0u32.to_le_bytes());
        out.extend(0u64.to_le_bytes());
        while out.len() % 32 != 0 {
            out.push(0);
        }
        out
    }

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn a_header_gives_name_size_parameters_and_context() {
        let dir = tempfile::tempdir().unwrap();
        let kvs = [("general.architecture", "llama"), ("general.name", "Tiny"), ("tokenizer.chat_template", "{{x}}")];
        let info = read(&write(dir.path(), "tiny.gguf", &tiny_gguf(&kvs, 1000, None))).unwrap();
        assert_eq!(info.name.as_deref(), Some("Tiny"));
        assert_eq!(info.architecture.as_deref(), Some("llama"));
        assert_eq!((info.parameters, info.trained_context), (1000, Some(8192)));
        assert_eq!(info.quantization, "F32", "from the tensors when the file type is not said");
        assert!(info.has_chat_template);
        assert_eq!(info.label(), "tiny · 1K params · F32");
    }

    #[test]
    fn text_truncated_and_absurd_files_are_refused_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let text = write(dir.path(), "notes.gguf", b"just some notes, renamed");
        let err = read(&text).unwrap_err().to_string();
        assert!(err.contains("not a GGUF model file"), "{err}");

        let whole = tiny_gguf(&[("general.architecture", "llama")], 1000, None);
        let cut = write(dir.path(), "cut.gguf", &whole[..whole.len() - 100]);
        let err = read(&cut).unwrap_err().to_string();
        assert!(err.contains("is truncated") && err.contains("need"), "{err}");
        let headless = write(dir.path(), "headless.gguf", &whole[..40]);
        let err = read(&headless).unwrap_err().to_string();
        assert!(err.contains("not a usable GGUF model file") && err.contains("more than the file can hold"), "{err}");

        // A header that claims a billion metadata entries, or a 2^60-byte string, in a small file.
        let mut absurd = whole.clone();
        absurd[16..24].copy_from_slice(&1_000_000_000u64.to_le_bytes());
        let err = read(&write(dir.path(), "absurd.gguf", &absurd)).unwrap_err().to_string();
        assert!(err.contains("more than the file can hold"), "{err}");
        let mut long = whole;
        long[24..32].copy_from_slice(&(1u64 << 60).to_le_bytes());
        let err = read(&write(dir.path(), "long.gguf", &long)).unwrap_err().to_string();
        assert!(err.contains("more than the file can hold"), "{err}");
    }

    #[test]
    fn a_model_larger_than_the_free_memory_reads_but_is_refused_with_its_size() {
        let dir = tempfile::tempdir().unwrap();
        // 1 TB of weights (more than any machine this runs on has free), in a sparse file: the
        // header is real, the data costs no disk.
        let elements = 250_000_000_000u64;
        let header = header_of(&[("general.architecture", "llama")], elements);
        let path = write(dir.path(), "huge.gguf", &header);
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(header.len() as u64 + elements * 4)
            .unwrap();
        let info = read(&path).unwrap();
        assert_eq!(info.parameters, elements);
        let err = check_fits_memory(&info).unwrap_err().to_string();
        assert!(err.contains("huge.gguf needs about 1000.0 GB") && err.contains("of memory free"), "{err}");
        assert!(check_fits_memory(&read(&write(dir.path(), "tiny.gguf", &tiny_gguf(&[], 10, None))).unwrap()).is_ok());
    }

    #[test]
    fn counts_read_as_people_say_them() {
        assert_eq!(short_count(134_515_008), "135M");
        assert_eq!(short_count(7_241_732_096), "7.2B");
    }
}
