"""Quality gate on the generated PDF corpus (tests/pdf_corpus, scripts/make_pdf_corpus.py).

The minimums below may only ever be raised: a parser change that lowers a score must be
fixed, not accommodated.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from parsers.pdf_eval import Report, evaluate, format_report

CORPUS = Path(__file__).parent / "pdf_corpus"
MIN_MEDIAN_SIMILARITY = 0.99
MIN_HEADLINE_ACCURACY = 1.0
MIN_PAGES = 27


@pytest.fixture(scope="module")
def report() -> Report:
    return evaluate(CORPUS)


def test_corpus_is_scored_whole(report: Report) -> None:
    assert report.pages >= MIN_PAGES and not report.errors, format_report(report)


def test_article_text_and_headlines_meet_the_minimums(report: Report) -> None:
    summary = format_report(report, verbose=False)
    assert report.median_similarity >= MIN_MEDIAN_SIMILARITY, summary
    assert report.headline_accuracy >= MIN_HEADLINE_ACCURACY, summary


def test_no_ad_or_furniture_text_inside_articles(report: Report) -> None:
    assert not report.ad_leaks and not report.furniture_leaks, format_report(report, False)
    assert not report.ads_missed, format_report(report, False)


def test_no_radical_or_compatibility_code_point_in_any_output(report: Report) -> None:
    assert not report.radicals, format_report(report, False)
