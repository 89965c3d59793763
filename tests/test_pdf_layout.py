"""Layout rules of the PDF parser that hold on any page: gutters, fake bold, letter-spacing,
paragraph edges, coverage. Characters are built the way pdfplumber reports them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from baokan.models import BlockRecord, IssueRecord, PageRecord
from baokan.quality import check_coverage
from parsers.coverage import account, char_counts
from parsers.gutters import gutters
from parsers.notices import box_kind
from parsers.pdf_lines import Line, collapse_overprint, page_lines
from parsers.pdf_page import PdfPage, parse_pdf
from parsers.pdf_roles import PdfArticle, module_article, paragraphs
from parsers.pdf_segment import Sizes

CORPUS = Path(__file__).parent / "pdf_corpus"
BODY = "高新区企业研发投入持续增长园区服务更加精准"


def char(text: str, x0: float, top: float, size: float = 10.0, font: str = "AAAAAA+Ming") -> dict:
    """A character as pdfplumber gives it (baseline from the matrix)."""
    return {
        "text": text,
        "x0": x0,
        "x1": x0 + size,
        "top": top,
        "bottom": top + size,
        "size": size,
        "fontname": font,
        "matrix": (1, 0, 0, 1, x0, -(top + size * 0.88)),
    }


def run(text: str, x0: float, top: float, pitch: float = 10.0, **kw: Any) -> list[dict]:
    """A run of characters `pitch` apart (10.0: set solid in 10-point type)."""
    return [char(t, x0 + i * pitch, top, **kw) for i, t in enumerate(text)]


def two_columns(gutter: float, rows: int = 6) -> list[dict]:
    """Two columns of 8 characters on one baseline grid, `gutter` points apart."""
    out: list[dict] = []
    for r in range(rows):
        out += run(BODY[r : r + 8], 40, 100 + r * 15)
        out += run(BODY[r + 1 : r + 9], 120 + gutter, 100 + r * 15)
    return out


def test_a_gutter_narrower_than_a_character_still_parts_columns() -> None:
    lines = page_lines(two_columns(gutter=8.0))
    assert len(lines) == 12 and all(len(ln.text) == 8 for ln in lines)


def test_a_word_space_lined_up_once_is_no_gutter() -> None:
    chars = run("本报记者", 40, 80) + run("张明", 88, 80) + two_columns(gutter=8.0)
    found = gutters([[c for c in chars if c["top"] == 80]])
    assert found == []  # one line is never a gutter
    byline = [ln for ln in page_lines(chars) if ln.top == 80]
    assert [ln.text for ln in byline] == ["本报记者 张明"]


def test_fake_bold_is_one_bold_character() -> None:
    drawn = [
        c for t in run("项目", 40, 50, size=30, pitch=30) for c in (t, dict(t, x0=t["x0"] + 0.4))
    ]
    (line,) = page_lines(collapse_overprint(drawn))
    assert line.text == "项目" and line.bold


def test_a_raised_note_mark_joins_its_line_but_small_chinese_beside_a_line_does_not() -> None:
    # 系统[1]。 with [1] in 6 pt raised 3.5 pt: one line, the mark where it is printed.
    mark = [dict(c, x1=c["x0"] + 3.0) for c in run("[1]", 60, 100, pitch=3.0, size=6.0)]
    chars = run("系统", 40, 102) + mark + run("。这些系统", 70, 102)
    (line,) = page_lines(chars)
    assert line.text == "系统[1]。这些系统"
    # A 6-pt caption's short last line ends 2 pt from the next column's 10-pt text, raised
    # against it: a line of its own.
    chars = run("摄影张明", 40, 98, pitch=6.0, size=6.0) + run("园区企业研发投入", 66, 100)
    assert sorted(ln.text for ln in page_lines(chars)) == ["园区企业研发投入", "摄影张明"]


def test_an_ideographic_space_parts_a_headings_number_and_spreads_its_words() -> None:
    # 1　前　言: the text layer holds the ideographic spaces; only the first is a word space.
    chars = run("1\u3000前\u3000言", 40, 100, pitch=12.0, size=12.0)
    (line,) = page_lines([dict(c, x1=c["x0"] + 6.0) if c["text"] == "1" else c for c in chars])
    assert line.text == "1 前言"


@pytest.mark.parametrize(
    ("chars", "text"),
    [
        (run("项目巡礼", 40, 50, pitch=25), "项目巡礼"),
        (
            run("CHINA", 40, 50, pitch=16) + run("DAILY", 40 + 5 * 16 + 8, 50, pitch=16),
            "CHINA DAILY",
        ),
        (run("政策先行", 40, 50) + run("服务跟进", 90, 50), "政策先行 服务跟进"),
    ],
)
def test_letter_spacing_is_joined_word_spaces_kept(chars: list[dict], text: str) -> None:
    (line,) = page_lines(chars)
    assert line.text == text


def _line(text: str, x0: float, top: float, x1: float | None = None) -> Line:
    right = x1 if x1 is not None else x0 + 10 * len(text)
    return Line(text, x0, right, top, top + 10, 10.0, baseline=top + 9)


def test_paragraph_starts_come_from_the_usual_edge_not_the_leftmost_line() -> None:
    """One label set left of the column must not make every body line a paragraph start."""
    col = [_line("担保情况说明", 30, 100, 150)]  # a label hung into the margin
    col += [_line("第一段正文内容第一段正文", 50, 115 + i * 15, 170) for i in range(4)]
    col += [_line("况", 50, 175, 60)]  # the paragraph's short last line
    col += [
        _line("第二段正文内容第二段", 70, 190, 170),
        _line("正文继续写到这一行为止", 50, 205, 170),
    ]
    paras, _, _ = paragraphs(col, Sizes(10.0), [])
    assert len(paras) == 2 and paras[0].endswith("第一段正文况"), paras
    assert paras[1] == "第二段正文内容第二段正文继续写到这一行为止"


def test_a_module_without_display_type_is_an_article_without_headline() -> None:
    lines = [_line("（上接第1版）", 40, 90)] + [
        _line("续前文的正文内容继续排", 40, 105 + i * 15, 150) for i in range(3)
    ]
    art = module_article(lines, Sizes(10.0))
    assert (
        art.headline == "" and art.continuations == ["（上接第1版）"] and len(art.paragraphs) == 1
    )


def test_coverage_counts_every_character_and_keeps_what_was_left() -> None:
    lines = [_line("新闻正文一二三", 40, 100), _line("图片说明", 40, 120)]
    page = PdfPage(1, 842, 1191, "pdf")
    page.articles = [PdfArticle("", None, None, None, ["新闻正文一二三"], (40, 100, 110, 110))]
    account(page, lines)
    assert page.chars == 11 and page.coverage == pytest.approx(7 / 11)
    assert [b.text for b in page.unassigned] == ["图片说明"]
    assert char_counts(["本报记者,张明"]) == char_counts(["本报记者，张明"])  # width folded


def test_quality_names_the_page_and_text_left_unplaced() -> None:
    issue = IssueRecord("sample", "样报", "2026-01-05", "partial", "v")
    issue.pages = [
        PageRecord("A2", "要闻", "u", 1, pdf_url="http://x/a.pdf", chars=900, coverage=0.99)
    ]
    block = BlockRecord(
        "b", "sample", "2026-01-05", "A2", 1, "（资料图）", [1, 2, 3, 4], None, "no role"
    )
    issue.unassigned = [block]
    (failure,) = check_coverage(issue)
    assert "page A2" in str(failure) and "http://x/a.pdf" in str(failure)
    assert "0.9900" in str(failure) and "（资料图）" in str(failure)


@pytest.mark.parametrize(
    ("heading", "text", "kind"),
    [
        ("征稿启事", "本报副刊常年征集散文", "notice"),
        ("遗失声明", "某公司遗失营业执照副本一份，声明作废。", "notice"),
        ("欢迎订阅《高新样报》", "全年订阅价：240元/份 广告", "ad"),
        ("链接", "高新区是国家级开发区", None),
    ],
)
def test_framed_boxes_are_told_apart(heading: str, text: str, kind: str | None) -> None:
    assert box_kind(heading, heading + text) == kind


def test_a_page_with_no_headline_still_gives_its_text() -> None:
    """l_continuation: nothing on it is set 1.5× body, yet every module is an article."""
    (page,) = parse_pdf((CORPUS / "l_continuation.pdf").read_bytes(), "l_continuation.pdf")
    assert page.coverage == 1.0 and len(page.articles) >= 10
    assert sum(1 for a in page.articles if not a.headline) == 4
    assert [ad.kind for ad in page.ads] == ["notice"]
