"""Makes a long real-text PDF for `hearth bench ingest`: N pages of Vaswani abstracts.

    python3 -m venv /tmp/fx && /tmp/fx/bin/pip install fpdf2==2.8.4
    /tmp/fx/bin/python scripts/bench/make_pdf.py ../shared/data/vaswani_npl 500 /tmp/bench-500.pdf
"""

import re
import sys
from pathlib import Path

from fpdf import FPDF

PAGE_CHARS = 2800


def main(corpus_dir: str, pages: int, out: str) -> None:
    text = (Path(corpus_dir) / "corpus" / "doc-text.trec").read_text(encoding="utf-8", errors="replace")
    words = re.sub(r"<[^>]*>", " ", text).split()
    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    at = 0
    for page in range(pages):
        pdf.add_page()
        chunk, size = [], 0
        while size < PAGE_CHARS:
            word = words[at % len(words)].encode("latin-1", "replace").decode("latin-1")
            chunk.append(word)
            size += len(word) + 1
            at += 1
        pdf.multi_cell(0, 5, f"Page {page + 1}. " + " ".join(chunk))
    pdf.output(out)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
