"""Decompression bombs: a small page PDF whose streams inflate to gigabytes is refused, in bounded memory."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import zlib
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from baokan.config import Settings
from baokan.ingest import ingest
from baokan.serve import serve_directory
from parsers.pdf_guard import MAX_DECODED_BYTES, decoded_size
from tests.rawpdf import assemble

BASE = "http://paper.sample.baokan.invalid/"
INNER = 1024**3  # what the content stream finally inflates to: 1 GiB of spaces


@cache
def bomb_pdf(inner: int = INNER, layers: int = 2) -> bytes:
    """A one-page PDF whose content stream is `inner` bytes compressed `layers` times."""
    outer = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    data = b"".join(outer.compress(chunk) for _ in range(inner // len(chunk))) + outer.flush()
    for _ in range(layers - 1):
        data = zlib.compress(data, 9)
    filters = " ".join(["/FlateDecode"] * layers)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter [%s] >>\nstream\n" % (len(data), filters.encode())
        + data
        + b"\nendstream",
    ]
    return assemble(objects)


def test_guard_counts_every_layer_and_passes_real_pages() -> None:
    small = bomb_pdf(inner=8 << 20, layers=3)
    assert decoded_size(small) == 8 << 20  # three layers deep, counted exactly
    assert decoded_size(bomb_pdf()) > MAX_DECODED_BYTES  # stopped early, not inflated whole
    pages = Path(__file__).parent / "real_pages"
    for pdf in [*pages.glob("*.pdf"), *(Path(__file__).parent / "pdf_corpus").glob("*.pdf")]:
        assert decoded_size(pdf.read_bytes()) < MAX_DECODED_BYTES // 10, pdf


def test_parse_pdf_refuses_a_bomb_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "bomb.pdf"
    path.write_bytes(bomb_pdf())
    assert path.stat().st_size < 100_000  # 1 GiB in a few kilobytes
    script = (
        "import json, resource, sys\n"
        "from baokan.cli import main\n"
        "code = main(['parse-pdf', sys.argv[1]])\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024\n"
        "print(json.dumps({'code': code, 'peak': peak}), file=sys.stderr)\n"
    )

    def limit() -> None:  # without the guard pdfminer asks for 1 GiB in one call and dies here
        resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))

    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True, text=True, timeout=300, preexec_fn=limit,
    )  # fmt: skip
    lines = done.stderr.strip().splitlines()
    result: dict[str, Any] = json.loads(lines[-1])
    assert result["code"] == 1
    assert lines[0].startswith(f"baokan: error: {path}: streams decompress to more than")
    assert result["peak"] < 600 * 1024**2, result


def test_a_bomb_on_one_page_is_a_problem_and_the_rest_loads(
    settings: Settings, site_copy: Path, truth: dict[str, dict[str, Any]]
) -> None:
    a2 = truth["2025-12-29"]["pages"][1]
    (site_copy / a2["pdf"]).write_bytes(bomb_pdf())
    with serve_directory(site_copy) as url:
        result = ingest("sample", ["2025-12-29"], base_url=url, settings=settings)
    (issue,) = result.issues
    assert issue["status"] == "partial"
    (detail,) = [d for d in issue["problem_details"] if d.startswith("pdf_too_large")]
    assert detail.startswith(f"pdf_too_large: {BASE}{a2['pdf']}: streams decompress to more than")
    db = settings.warehouse.removeprefix("duckdb:///")
    with duckdb.connect(db, read_only=True) as con:
        pages = con.execute(
            "SELECT page_label, count(*) FROM marts.articles GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert pages == [("A1", 3), ("A2", 3), ("A3", 3)]  # A2 from its HTML, the others whole
