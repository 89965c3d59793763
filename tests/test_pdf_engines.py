"""pdf_engine = "pdfium" (parsers/pdfium_page.py) gives the articles pdfplumber gives.

The whole corpus is parsed with both engines: every article, ad and piece of furniture must
come out the same (text similarity >= 0.999, identical roles), and the pdfium page must
hand the parser every glyph pdfplumber does (fake-bold copies, outline-less OCR layers).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from functools import cache
from pathlib import Path

import pdfplumber
import pytest

from baokan.parse_issue import ENGINE_ENV, pdf_engine
from baokan.sites import SiteProfile, SiteProfileError, parse_profile
from parsers import ParseError
from parsers.pdf_eval import evaluate, similarity
from parsers.pdf_guard import PdfTooLarge
from parsers.pdf_page import PdfPage, parse_pdf
from parsers.pdfium_page import open_pages
from tests.rawpdf import assemble
from tests.test_pdf_bomb import bomb_pdf
from tests.test_pdf_text_layer import _encrypted_pdf

ROOT = Path(__file__).parent.parent
CORPUS = ROOT / "tests" / "pdf_corpus"
REAL = ROOT / "tests" / "real_pages"
PAGES = sorted(p for p in CORPUS.glob("*.pdf") if p.with_suffix(".json").exists())


@cache
def parsed(path: Path, engine: str) -> PdfPage:
    (page,) = parse_pdf(path.read_bytes(), path.name, engine=engine)
    return page


def _roles(page: PdfPage) -> list[tuple[object, ...]]:
    return [
        (a.headline, a.kicker, a.subtitle, a.byline, a.subheads, a.captions, a.continuations)
        for a in page.articles
    ]


@pytest.mark.parametrize("path", PAGES, ids=[p.stem for p in PAGES])
def test_both_engines_give_the_same_page(path: Path) -> None:
    old, new = parsed(path, "pdfplumber"), parsed(path, "pdfium")
    assert new.text_layer == old.text_layer
    assert (new.width, new.height) == pytest.approx((old.width, old.height), abs=0.01)
    assert len(new.articles) == len(old.articles) and old.articles
    for a, b in zip(old.articles, new.articles, strict=True):
        assert similarity("".join(a.paragraphs), "".join(b.paragraphs)) >= 0.999, a.headline
    assert _roles(new) == _roles(old)
    assert [(ad.kind, ad.text) for ad in new.ads] == [(ad.kind, ad.text) for ad in old.ads]
    assert new.furniture == old.furniture
    assert (new.chars, new.coverage, new.unassigned) == (old.chars, old.coverage, old.unassigned)


def test_the_corpus_scores_the_same_with_pdfium() -> None:
    old, new = evaluate(CORPUS), evaluate(CORPUS, engine="pdfium")
    assert [(a.page, a.headline, a.headline_ok, a.fields_ok, a.roles_ok) for a in new.articles] == [
        (a.page, a.headline, a.headline_ok, a.fields_ok, a.roles_ok) for a in old.articles
    ]
    for a, b in zip(old.articles, new.articles, strict=True):
        assert b.similarity >= a.similarity - 0.001, a.headline
    assert new.errors == [] and new.layer_errors == [] and new.ad_leaks == old.ad_leaks


def _glyphs(path: Path) -> tuple[Counter[str], Counter[str]]:
    """Visible characters of page 1 by pdfplumber and by pdfium."""
    data = path.read_bytes()
    with pdfplumber.open(path) as pdf:
        old = Counter(c["text"] for c in pdf.pages[0].chars if c["text"].strip())
    with open_pages(data) as pages:
        new = Counter(c["text"] for c in pages[0].chars if c["text"].strip())
    return old, new


@pytest.mark.parametrize(
    "path",
    [
        CORPUS / "l_fakebold.pdf",  # glyphs drawn 2-4 times: pdfium's text page keeps one
        REAL / "magazine_ocr_layer.pdf",  # a GlyphLessFont OCR layer: no outlines, no box
        REAL / "journal_masthead.pdf",  # unembedded fonts
        REAL / "textbook_printready.pdf",  # ligatures, which pdfium splits
    ],
    ids=lambda p: p.stem,
)
def test_pdfium_returns_every_drawn_glyph(path: Path) -> None:
    old, new = _glyphs(path)
    assert new == old and sum(new.values()) > 300


def test_a_ligature_is_as_wide_as_its_glyph_with_either_engine() -> None:
    """pdfium reads ﬁ as f and i at one origin; joined, the char spans the glyph's advance,
    so no gap (read as a space) opens before the letter after it."""
    path = REAL / "textbook_printready.pdf"
    for engine in ("pdfplumber", "pdfium"):
        (art,) = parsed(path, engine).articles
        assert any("人工智能（artiﬁcial intelligence，AI）" in p for p in art.paragraphs), engine


def test_fake_bold_copies_make_the_headline_bold_with_either_engine() -> None:
    path = CORPUS / "l_fakebold.pdf"
    with pdfplumber.open(path) as pdf:
        want = sorted(c["x0"] for c in pdf.pages[0].chars if c["text"] == "项" and c["size"] > 30)
    with open_pages(path.read_bytes()) as pages:
        heads = sorted(c["x0"] for c in pages[0].chars if c["text"] == "项" and c["size"] > 30)
    assert len(heads) == 4 and heads == pytest.approx(want, abs=0.05)  # drawn four times
    for engine in ("pdfplumber", "pdfium"):
        page = parsed(CORPUS / "l_fakebold.pdf", engine)
        assert page.articles[0].headline == "项目建设跑出加速度"


def _text_page(mediabox: bytes, rotate: int) -> bytes:
    """One line of Helvetica at user-space (100, 700), on the given box and /Rotate."""
    content = b"BT /F1 20 Tf 100 700 Td (Hello) Tj ET 50 650 m 300 650 l S"
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox %s /Rotate %d /Contents 4 0 R " % (
        mediabox,
        rotate,
    )
    return assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            page + b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_rotated_pages_are_read_in_pdfplumbers_frame(rotate: int) -> None:
    data = _text_page(b"[0 0 612 792]", rotate)
    with pdfplumber.open(__import__("io").BytesIO(data)) as pdf:
        page = pdf.pages[0]
        want = (page.width, page.height, [(c["text"], c["x0"], c["top"]) for c in page.chars])
        rule = [v for e in page.horizontal_edges for v in (e["x0"], e["top"])]
    with open_pages(data) as pages:
        got = pages[0]
        assert (got.width, got.height) == pytest.approx(want[:2])
        assert [c["text"] for c in got.chars] == [t for t, _, _ in want[2]]
        for c, (_, x0, top) in zip(got.chars, want[2], strict=True):
            assert (c["x0"], c["top"]) == pytest.approx((x0, top), abs=0.5)
        assert [v for e in got.horizontal_edges for v in (e["x0"], e["top"])] == pytest.approx(rule)


def test_a_mediabox_off_the_origin_is_measured_from_its_own_corner() -> None:
    """pdfplumber keeps such a page's absolute coordinates; the pdfium page puts the box's
    top-left corner at 0, as the parser assumes (its header and footer bands)."""
    with open_pages(_text_page(b"[50 100 662 892]", 0)) as pages:
        page = pages[0]
        (rule,) = page.lines
        assert (page.width, page.height) == (612, 792)
        assert (rule["x0"], rule["top"]) == pytest.approx((0, 892 - 650))
        assert page.chars[0]["x0"] == pytest.approx(50)
        assert page.chars[0]["bottom"] == pytest.approx(892 - 700 + 20 * 0.207, abs=2)


def test_time_limit_bomb_guard_and_bad_files_hold_for_pdfium() -> None:
    data = (CORPUS / "seed.pdf").read_bytes()
    (page,) = parse_pdf(data, "seed.pdf", page_time_limit=0.001, engine="pdfium")
    assert page.text_layer == "none" and "longer than 0.001 s" in page.notes[0]
    with pytest.raises(PdfTooLarge, match=r"bomb\.pdf"):
        parse_pdf(bomb_pdf(), "bomb.pdf", engine="pdfium")
    cases = [
        (b"%PDF-1.7\n" + b"\0" * 2000, "not a readable PDF"),
        (b"", "empty file"),
        (_encrypted_pdf(), "encrypted PDF, cannot be read without its password"),
    ]
    for bad, why in cases:
        with pytest.raises(ParseError, match=f"bad.pdf: {why}"):
            parse_pdf(bad, "bad.pdf", engine="pdfium")
    with pytest.raises(ValueError, match="unknown PDF engine 'mupdf'"):
        parse_pdf(data, "seed.pdf", engine="mupdf")


def test_ocr_reads_the_same_lines_with_either_engine() -> None:
    """The byline marker's font has no ToUnicode: OCR replaces those lines for both engines."""
    path = CORPUS / "garbled" / "marker_lines.pdf"
    old, new = parsed(path, "pdfplumber"), parsed(path, "pdfium")
    assert new.text_layer == old.text_layer == "ocr" and new.ocr_lines == old.ocr_lines == 2
    assert _roles(new) == _roles(old) and new.furniture == old.furniture
    (scan,) = parse_pdf((CORPUS / "garbled" / "image_only.pdf").read_bytes(), "s", ocr=False)
    (same,) = parse_pdf(
        (CORPUS / "garbled" / "image_only.pdf").read_bytes(), "s", ocr=False, engine="pdfium"
    )
    assert (same.text_layer, same.notes) == (scan.text_layer, scan.notes) == ("none", same.notes)


PROFILE = {
    "id": "x",
    "publication": "某报",
    "family": "founder_new",
    "base_url": "http://x.example/",
    "entry": "{date}/node_A1.html",
}


def test_pdf_engine_is_a_checked_profile_field(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_profile(PROFILE, "x.toml").pdf_engine == "pdfplumber"
    profile = parse_profile({**PROFILE, "pdf_engine": "pdfium"}, "x.toml")
    assert profile.pdf_engine == "pdfium"
    with pytest.raises(SiteProfileError, match=r"x\.toml: field 'pdf_engine': .*'mupdf'"):
        parse_profile({**PROFILE, "pdf_engine": "mupdf"}, "x.toml")
    monkeypatch.delenv(ENGINE_ENV, raising=False)
    assert pdf_engine(profile) == "pdfium"
    monkeypatch.setenv(ENGINE_ENV, "pdfplumber")
    assert pdf_engine(profile) == "pdfplumber"
    monkeypatch.setenv(ENGINE_ENV, "fast")
    with pytest.raises(ValueError, match="BAOKAN_PDF_ENGINE='fast': unknown PDF engine"):
        pdf_engine(SiteProfile("x", "x", "founder_new", "http://x/", "e"))


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "baokan.cli", *args], capture_output=True, text=True, env=env
    )


def test_cli_pdf_engine_flag() -> None:
    pdf = str(CORPUS / "l_seed4.pdf")
    old, new = (
        _cli("parse-pdf", pdf, "--json"),
        _cli("parse-pdf", pdf, "--json", "--pdf-engine", "pdfium"),
    )
    assert old.returncode == new.returncode == 0
    assert json.loads(new.stdout) == json.loads(old.stdout)
    bad = _cli("eval-pdf", str(CORPUS), "--pdf-engine", "mupdf")
    assert bad.returncode == 2 and "invalid choice: 'mupdf'" in bad.stderr
    assert "--pdf-engine" in _cli("reparse", "--help").stdout
