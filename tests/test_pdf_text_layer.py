"""Garbled and missing text layers: detected, read by OCR, never loaded as junk."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path
from typing import Any

import duckdb
import pdfplumber
import pytest

from baokan.config import Settings
from baokan.ingest import ingest
from baokan.serve import serve_directory
from parsers import ParseError
from parsers.garble import garbled_share, is_bad_char, is_common_hanzi, is_garbled
from parsers.pdf_eval import Report, evaluate, format_report, is_radical_or_compat, similarity
from parsers.pdf_page import parse_pdf
from parsers.text import fold_for_match

GARBLED = Path(__file__).parent / "pdf_corpus" / "garbled"
CORPUS = GARBLED.parent
# Minimums for pages read by OCR; like the main gate, they may only ever be raised.
MIN_OCR_MEDIAN_SIMILARITY = 0.98
MIN_OCR_HEADLINE_ACCURACY = 0.8
MIN_OCR_WORST_SIMILARITY = 0.9  # the scanned page, read by OCR alone
# A scan of a 5-column page with unruled gutters a character wide (garbled/l_ocr_columns):
# the OCR detector reads across gutters, so columns must come from the image itself.
COLUMN_SCAN = "l_ocr_columns"
MIN_SCAN_MEDIAN_SIMILARITY = 0.70
MIN_SCAN_HEADLINE_ACCURACY = 0.66
MIN_SCAN_RUNS_IN_ORDER = 0.55  # 12-character runs of the truth found whole in the parse


def test_junk_characters_are_recognized() -> None:
    assert is_bad_char("(cid:123)") and is_bad_char("\ue001") and is_bad_char("\x07")
    assert is_bad_char("Ö") and is_bad_char("\ufffd")
    assert not any(map(is_bad_char, "中国，。·×°A1"))
    assert is_common_hanzi("的") and not is_common_hanzi("龘")


def test_pages_are_judged_by_their_share_of_junk() -> None:
    clean = list("国家高新区和自创区向高攀升向新而行大力推动科技创新和产业创新深度融合")
    assert garbled_share(clean) == 0 and not is_garbled(clean)
    assert is_garbled(["(cid:5)"] * 20 + clean)
    assert is_garbled(list("ÖÐ¹ú¸ßÐÂ¼¼Êõ"))  # GBK bytes read as Latin-1
    rare = list("龘靐齉爩麤鱻灥骉厵飝䲜䨻䴘䡶䯂龖䨺㸚") * 2  # a map shifted onto rare characters
    assert is_garbled(rare)
    assert garbled_share([]) == 1.0


def test_stripped_to_unicode_is_detected_in_the_raw_layer() -> None:
    with pdfplumber.open(GARBLED / "nounicode.pdf") as pdf:
        texts = [c["text"] for c in pdf.pages[0].chars]
    assert any(t.startswith("(cid:") for t in texts) and is_garbled(texts)


@pytest.fixture(scope="module")
def ocr_report() -> Report:
    return evaluate(GARBLED)


def test_garbled_and_image_only_pages_are_read_by_ocr(ocr_report: Report) -> None:
    summary = format_report(ocr_report)
    assert ocr_report.pages == 5 and not ocr_report.errors and not ocr_report.layer_errors, summary
    single = [a for a in ocr_report.articles if a.page != COLUMN_SCAN]
    assert statistics.median(a.similarity for a in single) >= MIN_OCR_MEDIAN_SIMILARITY, summary
    assert sum(a.headline_ok for a in single) / len(single) >= MIN_OCR_HEADLINE_ACCURACY, summary
    assert min(a.similarity for a in single) >= MIN_OCR_WORST_SIMILARITY, summary
    assert not ocr_report.radicals and not ocr_report.ad_leaks, summary
    assert ocr_report.min_coverage == 1.0 and not ocr_report.empty_pages, summary


def test_a_scanned_multi_column_page_is_read_column_by_column(ocr_report: Report) -> None:
    """Body text comes in runs of each column, and display fields are never stitched from
    line ends across the page (the detector's lines run over several columns)."""
    truth = json.loads((GARBLED / f"{COLUMN_SCAN}.json").read_text("utf-8"))
    page = ocr_report.parsed[COLUMN_SCAN]
    body = fold_for_match("".join("".join(a.paragraphs) for a in page.articles))
    wanted = [fold_for_match(p) for a in truth["articles"] for p in a["paragraphs"]]
    runs = [w[i : i + 12] for w in wanted for i in range(0, len(w) - 12, 12)]
    assert sum(r in body for r in runs) / len(runs) >= MIN_SCAN_RUNS_IN_ORDER
    display = [t for a in truth["articles"] for t in (a["kicker"], a["subtitle"], a["headline"])]
    for got in (f for a in page.articles for f in (a.kicker, a.subtitle) if f):
        assert max(similarity(got, want) for want in display if want) >= 0.8, got
    scan = [a for a in ocr_report.articles if a.page == COLUMN_SCAN]
    summary = format_report(ocr_report)
    assert statistics.median(a.similarity for a in scan) >= MIN_SCAN_MEDIAN_SIMILARITY, summary
    assert sum(a.headline_ok for a in scan) / len(scan) >= MIN_SCAN_HEADLINE_ACCURACY, summary


def test_without_ocr_a_garbled_page_yields_nothing_rather_than_junk() -> None:
    (page,) = parse_pdf((GARBLED / "pua.pdf").read_bytes(), "pua.pdf", ocr=False)
    assert page.text_layer == "none" and not page.articles and page.notes
    (page,) = parse_pdf((GARBLED / "image_only.pdf").read_bytes(), "scan.pdf", ocr=False)
    assert page.text_layer == "none" and "no text layer" in page.notes[0]


def test_radicals_in_a_text_layer_come_out_unified() -> None:
    with pdfplumber.open(CORPUS / "r21.pdf") as pdf:
        raw = "".join(c["text"] for c in pdf.pages[0].chars)
    assert sum(map(is_radical_or_compat, raw)) > 100  # the layer really says ⼯ for 工
    (page,) = parse_pdf((CORPUS / "r21.pdf").read_bytes(), "r21.pdf")
    out = "".join(p for a in page.articles for p in [a.headline, *a.paragraphs])
    assert page.text_layer == "pdf" and out and not any(map(is_radical_or_compat, out))


def test_a_page_over_its_time_limit_is_skipped_with_a_note() -> None:
    data = (CORPUS / "seed.pdf").read_bytes()
    (page,) = parse_pdf(data, "seed.pdf", page_time_limit=0.01)
    assert page.text_layer == "none" and not page.articles
    assert "longer than 0.01 s" in page.notes[0]


def _encrypted_pdf() -> bytes:
    from io import BytesIO

    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen.canvas import Canvas

    buf = BytesIO()
    canvas = Canvas(buf, encrypt=pdfencrypt.StandardEncryption("secret", canPrint=1))
    canvas.drawString(10, 10, "locked")
    canvas.save()
    return buf.getvalue()


ZERO_PAGES = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
    b"trailer <</Root 1 0 R>>\n%%EOF\n"
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_encrypted_pdf(), "encrypted PDF"),
        (ZERO_PAGES, "PDF has no pages"),
        (b"%PDF-1.7\n" + b"\0" * 2000, "not a readable PDF"),
    ],
)
def test_unreadable_pdfs_say_why(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=f"bad.pdf: {message}"):
        parse_pdf(data, "bad.pdf")


def test_a_huge_pdf_is_refused_before_parsing() -> None:
    data = (CORPUS / "seed.pdf").read_bytes()
    with pytest.raises(ParseError, match=r"big\.pdf: [\d,]+ bytes, over the 1,000-byte limit"):
        parse_pdf(data, "big.pdf", max_bytes=1000)


def test_only_the_garbled_lines_are_read_by_ocr() -> None:
    """The byline marker's font has no ToUnicode: OCR reads those two lines, nothing else."""
    (page,) = parse_pdf((GARBLED / "marker_lines.pdf").read_bytes(), "marker_lines.pdf")
    assert page.text_layer == "ocr" and page.ocr_lines == 2
    assert [a.byline for a in page.articles] == ["本报记者 孙悦", "本报记者 李文"]


def test_an_issue_page_without_to_unicode_is_loaded_from_ocr(
    settings: Settings, site_copy: Path, truth: dict[str, dict[str, Any]]
) -> None:
    """Strip a page PDF's ToUnicode maps (same length, offsets intact): OCR reads it in the run."""
    a2 = truth["2026-01-05"]["pages"][1]
    pdf = site_copy / a2["pdf"]
    data = pdf.read_bytes()
    pdf.write_bytes(re.sub(rb"/ToUnicode \d+ 0 R", lambda m: b" " * len(m.group(0)), data))

    with serve_directory(site_copy) as url:
        result = ingest("sample", ["2026-01-05"], base_url=url, settings=settings)

    (issue,) = result.issues
    assert result.failures == [] and issue["status"] == "complete", issue
    with duckdb.connect(settings.warehouse.removeprefix("duckdb:///"), read_only=True) as con:
        layers = con.execute(
            "SELECT page_label, text_layer FROM core.pages ORDER BY page_label"
        ).fetchall()
        matched = con.execute(
            "SELECT text_source, pdf_html_similarity FROM core.articles WHERE page_label = 'A2'"
        ).fetchall()
    assert layers == [("A1", "pdf"), ("A2", "ocr"), ("A3", "pdf")]
    assert [s for s, _ in matched] == ["both"] * 3  # each HTML article found its OCR'd region
    assert all(sim is not None and sim > 0.9 for _, sim in matched), matched
