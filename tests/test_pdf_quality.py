"""Quality gate on the generated PDF corpus (tests/pdf_corpus, scripts/make_pdf_corpus.py).

The minimums below may only ever be raised: a parser change that lowers a score must be
fixed, not accommodated.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baokan.cli import main
from parsers.pdf_eval import Report, evaluate, format_report
from parsers.pdf_page import parse_pdf

CORPUS = Path(__file__).parent / "pdf_corpus"
MIN_MEDIAN_SIMILARITY = 0.99
MIN_HEADLINE_ACCURACY = 1.0
MIN_PAGES = 40  # the scan l_ocr_columns is scored with the other OCR pages, in garbled/
MIN_SHARES = {"fields_ok": 1.0, "roles_ok": 1.0, "bbox_ok": 1.0}  # kicker/…, subheads/…, bbox
MIN_SUBHEAD_ACCURACY = 1.0
MIN_PARAGRAPH_F1 = 0.998


@pytest.fixture(scope="module")
def report() -> Report:
    return evaluate(CORPUS)


def test_corpus_is_scored_whole(report: Report) -> None:
    assert report.pages >= MIN_PAGES and not report.errors, format_report(report)
    assert not report.layer_errors, format_report(report, False)


def test_article_text_and_headlines_meet_the_minimums(report: Report) -> None:
    summary = format_report(report, verbose=False)
    assert report.median_similarity >= MIN_MEDIAN_SIMILARITY, summary
    assert report.headline_accuracy >= MIN_HEADLINE_ACCURACY, summary
    for attr, minimum in MIN_SHARES.items():
        assert report.share(attr) >= minimum, f"{attr}\n{summary}"


def test_every_character_of_every_page_is_placed(report: Report) -> None:
    """Coverage 1.000 on every page: nothing left unassigned, no page with text and no item."""
    summary = format_report(report, False)
    assert report.coverage and report.min_coverage == 1.0, summary
    assert not any(page.unassigned for page in report.parsed.values()), summary
    assert not report.empty_pages, summary


def test_subheads_and_paragraph_boundaries_meet_the_minimums(report: Report) -> None:
    summary = format_report(report, False)
    assert report.subhead_accuracy >= MIN_SUBHEAD_ACCURACY, summary
    assert report.paragraph_f1 >= MIN_PARAGRAPH_F1, summary


def test_notices_are_told_from_ads(report: Report) -> None:
    assert not report.kind_errors, format_report(report, False)
    kinds = {ad.kind for page in report.parsed.values() for ad in page.ads}
    assert kinds == {"ad", "notice"}  # the corpus has both: 征稿启事, 遗失声明, 办事指南 boxes


def test_re_typeset_seed_feature_keeps_its_ten_subheads_in_order() -> None:
    """The seed's 十大新闻 in 4 ruled columns, subheads bold at ~1.2× body (l_seed4)."""
    truth = json.loads((CORPUS / "l_seed4.json").read_text("utf-8"))
    (page,) = parse_pdf((CORPUS / "l_seed4.pdf").read_bytes(), "l_seed4.pdf")
    (want, *_) = truth["articles"]
    got = next(a for a in page.articles if a.headline == want["headline"])
    assert got.subtitle is None and got.byline == "本报编辑部"
    assert [s.split(" ", 1)[0] for s in got.subheads] == [str(n) for n in range(1, 11)]
    assert got.subheads == want["subheads"] and got.paragraphs == want["paragraphs"]
    body = [p for p in got.paragraphs if p not in got.subheads]
    assert len(body) == 11
    for n, subhead in enumerate(got.subheads):  # each subhead right before its paragraph
        assert got.paragraphs[got.paragraphs.index(subhead) + 1] == body[n + 1]
    assert [ad.text[:4] for ad in page.ads] == ["欢迎订阅"] and page.ads[0].kind == "ad"
    assert "欢迎订阅" not in "".join(got.paragraphs)


def test_no_ad_or_furniture_text_inside_articles(report: Report) -> None:
    assert not report.ad_leaks and not report.furniture_leaks, format_report(report, False)
    assert not report.ads_missed, format_report(report, False)


def test_no_radical_or_compatibility_code_point_in_any_output(report: Report) -> None:
    assert not report.radicals, format_report(report, False)


def test_seed_page_is_one_article_and_the_ad(capsys: pytest.CaptureFixture[str]) -> None:
    """The seed article as a 4-column page: whole, every column-break split repaired."""
    truth = json.loads((CORPUS / "seed.json").read_text("utf-8"))
    assert main(["parse-pdf", str(CORPUS / "seed.pdf"), "--json"]) == 0
    (page,) = json.loads(capsys.readouterr().out)["pages"]
    assert page["page_number"] == 1 and page["text_layer"] == "pdf"
    (article,) = page["articles"]
    (want,) = truth["articles"]
    assert article["headline"] == want["headline"] and article["byline"] == "本报编辑部"
    assert article["paragraphs"] == want["paragraphs"]
    assert {"kicker", "subtitle", "bbox"} <= set(article) and len(article["bbox"]) == 4
    (ad,) = page["ads"]
    assert ad["text"].startswith("欢迎订阅") and len(ad["bbox"]) == 4
    body = "".join(article["paragraphs"])
    assert "欢迎订阅" not in body and "微信公众号" not in body
    assert "精准性培育" in body and "乌鲁木齐高新区等10家" in body
