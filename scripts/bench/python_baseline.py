#!/usr/bin/env python3
"""The baseline Hearth's embedding speed is held to: Python onnxruntime running the same model
file on the same chunks (mean pooling, at most 256 tokens).

Usage (see BENCHMARKS.md):
  python3 -m venv /tmp/pyort && /tmp/pyort/bin/pip install onnxruntime==1.31.1 tokenizers numpy
  hearth --data-dir /tmp/b docs add /tmp/bench-abstracts.txt
  hearth --data-dir /tmp/b docs show <id> --limit 1000 --json > /tmp/doc.json
  /tmp/pyort/bin/python scripts/bench/python_baseline.py /tmp/doc.json 16
"""
import json
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

MODEL = Path(__file__).resolve().parents[2] / "models" / "all-minilm-l6-v2"


def main() -> None:
    texts = [c["text"] for c in json.load(open(sys.argv[1]))["chunks"]]
    batch = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    tok = Tokenizer.from_file(str(MODEL / "tokenizer.json"))
    tok.enable_truncation(256)
    tok.no_padding()
    session = ort.InferenceSession(str(MODEL / "model.onnx"), providers=["CPUExecutionProvider"])

    def embed(chunk):
        enc = tok.encode_batch(chunk)
        n = max(len(e.ids) for e in enc)
        ids = np.array([e.ids + [0] * (n - len(e.ids)) for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask + [0] * (n - len(e.ids)) for e in enc], dtype=np.int64)
        out = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
        v = (out * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    embed(texts[:2])  # warm-up
    start = time.time()
    for i in range(0, len(texts), batch):
        embed(texts[i : i + batch])
    seconds = time.time() - start
    print(f"python onnxruntime, batch {batch}: {len(texts) / seconds:.1f} chunks/s ({seconds:.1f} s for {len(texts)} chunks)")


if __name__ == "__main__":
    main()
