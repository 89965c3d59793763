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

CORPUS = Path(__file__).parent / "pdf_corpus"
MIN_MEDIAN_SIMILARITY = 0.99
MIN_HEADLINE_ACCURACY = 1.0
MIN_PAGES = 35
MIN_SHARES = {"fields_ok": 1.0, "roles_ok": 1.0, "bbox_ok": 1.0}  # kicker/…, subheads/…, bbox


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
