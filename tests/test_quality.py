"""Per-page parse steps and the quality checks, on the real sample and a deliberately broken copy."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from baokan import quality, steps
from baokan.config import Settings
from baokan.demo import sample_dates
from baokan.models import IssueRecord
from baokan.parse_issue import parse_issue
from baokan.rawzone import RawZone
from baokan.serve import serve_directory
from baokan.sites import get_site

BROKEN_DATE = "2025-12-29"
# The sample's 2025-12-29 issue, broken three ways: page A2's PDF is deleted; page A1's PDF
# loses its ToUnicode maps, so its text layer reads "(cid:1)(cid:2)…" (what fonts without
# ToUnicode produce) and OCR has to recover it; page A3 serves another issue's A3 PDF, a
# readable text layer that does not match the page's HTML articles.
MISSING_PDF = "pc/attachement/202512/29/f232a033841bc9369eaef0c4bcb92076.pdf"
GARBLED_PDF = "pc/attachement/202512/29/71850891cfa2f45b1bc057c5b12403fe.pdf"
MISMATCHED_PDF = "pc/attachement/202512/29/b697c637768687f291dec3a4cfa220f7.pdf"
OTHER_ISSUE_PDF = "pc/attachement/202601/05/9ce621cac7b34b775f9d316ba0000ff1.pdf"


def break_issue(site: Path) -> None:
    """Apply the three breakages above to a copy of the sample site."""
    (site / MISSING_PDF).unlink()
    pdf = site / GARBLED_PDF
    pdf.write_bytes(pdf.read_bytes().replace(b"/ToUnicode", b"/ToUnicodX"))  # same length
    (site / MISMATCHED_PDF).write_bytes((site / OTHER_ISSUE_PDF).read_bytes())


def _run_split_parse(site_id: str, issue_date: str, settings: Settings) -> dict[str, object]:
    """list_pages → parse_page per page → reconcile, as the DAG's mapped tasks do."""
    listed = steps.list_pages(site_id, issue_date, settings=settings)
    for page in listed["pages"]:
        steps.parse_page(site_id, issue_date, page, settings=settings)
    return steps.reconcile_issue(site_id, issue_date, settings=settings)


@pytest.mark.parametrize("issue_date", sample_dates())
def test_per_page_parse_equals_whole_issue_parse(
    crawled: Settings, tmp_path: Path, issue_date: str
) -> None:
    settings = dataclasses.replace(crawled, data_dir=tmp_path)
    (tmp_path / "raw").symlink_to(crawled.raw_dir)
    result = _run_split_parse("sample", issue_date, settings)

    whole = parse_issue(get_site("sample"), issue_date, RawZone(crawled.raw_dir))
    merged = IssueRecord.from_dict(steps.read_json(Path(str(result["path"]))))
    assert merged.to_dict() == whole.to_dict()
    assert result["pages_listed"] == 3 and result["articles"] == 9
    assert result["matched_html_pdf"] == 9


def test_sample_issue_passes_quality(crawled: Settings, tmp_path: Path) -> None:
    settings = dataclasses.replace(
        crawled, data_dir=tmp_path, warehouse=f"duckdb:///{tmp_path / 'wh.duckdb'}"
    )
    (tmp_path / "raw").symlink_to(crawled.raw_dir)
    _run_split_parse("sample", BROKEN_DATE, settings)
    steps.dedup_issue("sample", BROKEN_DATE, settings=settings)
    steps.load_issue("sample", BROKEN_DATE, settings=settings)

    result = steps.quality_issue("sample", BROKEN_DATE, settings=settings)
    assert result == {
        "site_id": "sample",
        "issue_date": BROKEN_DATE,
        "status": "complete",
        "pages": 3,
        "articles": 9,
        "ads": result["ads"],
    }
    stats = steps.read_json(tmp_path / "parsed" / "sample" / f"{BROKEN_DATE}.pages" / "stats.json")
    assert [s["garbled"] for s in stats] == [0, 0, 0]
    assert all(s["chars"] > 500 for s in stats)


def test_broken_issue_fails_quality_naming_what_is_wrong(site_copy: Path, tmp_path: Path) -> None:
    break_issue(site_copy)
    settings = Settings(
        data_dir=tmp_path / "data", warehouse=f"duckdb:///{tmp_path / 'wh.duckdb'}", sites_dir=None
    )
    with serve_directory(site_copy) as url:
        steps.crawl_dates("sample", [BROKEN_DATE], base_url=url, settings=settings)
    _run_split_parse("sample", BROKEN_DATE, settings)
    steps.dedup_issue("sample", BROKEN_DATE, settings=settings)
    loaded = steps.load_issue("sample", BROKEN_DATE, settings=settings)
    assert loaded["status"] == "partial"  # what could be read is still loaded

    with pytest.raises(quality.QualityError) as failed:
        steps.quality_issue("sample", BROKEN_DATE, settings=settings)
    message = str(failed.value)
    assert message.startswith("3 quality check(s) failed:")
    assert (
        "sample 2025-12-29 [step parse] unparsed pages: 1 of 3 pages not parsed — page A2: "
        "pdf_fetch http://paper.sample.baokan.invalid/" + MISSING_PDF + ": HTTP 404"
    ) in message
    assert "sample 2025-12-29 [step parse] garbled pages: 1 of 2 PDF pages garbled" in message
    assert "page A1: text layer unusable, recovered by OCR" in message
    assert "sample 2025-12-29 [step reconcile] HTML↔PDF similarity: mean" in message
    assert "< site minimum 0.80 over 3 HTML articles" in message  # A3: the only text-layer page
    assert "lowest: page A3 " in message


def test_missing_issue_passes_and_empty_issue_fails() -> None:
    missing = IssueRecord("s", "P", "2026-01-01", "missing", "v")
    assert quality.check_pages(missing) == []
    empty = IssueRecord("s", "P", "2026-01-02", "failed", "v")
    (failure,) = quality.check_pages(empty)
    assert str(failure) == (
        "s 2026-01-02 [step crawl] pages: 0 pages listed (index page not fetched or not parseable)"
    )


def test_row_counts_must_agree_between_stages() -> None:
    issue = IssueRecord("s", "P", "2026-01-05", "complete", "v")
    stages = {
        "parse": {"pages": 3, "articles": 9},
        "dedup": {"pages": 3, "articles": 9},
        "load": {"pages": 3, "articles": 8},
    }
    (failure,) = quality.check_counts(stages, issue)
    assert str(failure) == (
        "s 2026-01-05 [step load] row counts: articles: 9 after dedup but 8 after load"
    )


def test_garbled_chars_counts_cid_private_use_and_latin1_junk() -> None:
    assert quality.garbled_chars("高新技术，产业导报") == 0
    assert quality.garbled_chars("(cid:12)(cid:3)报") == len("(cid:12)(cid:3)")
    assert quality.garbled_chars("\ue000\ufffdÃ©报") == 4
