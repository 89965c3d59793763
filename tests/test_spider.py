"""The spider against the sample served on 127.0.0.1: every response lands in the raw zone."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from baokan.config import Settings
from baokan.rawzone import RawZone
from baokan.serve import serve_directory
from baokan.steps import crawl_dates, parse_issue

BASE = "http://paper.sample.baokan.invalid/"


def test_crawl_lands_every_page_pdf_and_article(
    crawled: Settings, sample_dir: Path, sample_url: str, truth: dict[str, dict[str, Any]]
) -> None:
    zone = RawZone(crawled.raw_dir)
    for day, issue in truth.items():
        rows = zone.read_manifest("sample", day)
        expected = {BASE + p["index"] for p in issue["pages"]}
        expected |= {BASE + p["pdf"] for p in issue["pages"]}
        expected |= {BASE + a["url"] for p in issue["pages"] for a in p["articles"]}
        assert {r.url for r in rows} == expected
        assert len(rows) == len(expected) == 3 + 3 + 9  # each URL fetched once
        for row in rows:
            assert row.status == 200 and row.error is None
            assert row.fetched_url == sample_url + row.url.removeprefix(BASE)
            served = (sample_dir / "site" / row.url.removeprefix(BASE)).read_bytes()
            assert zone.get(row.sha256 or "") == served
            assert row.sha256 == hashlib.sha256(served).hexdigest() and row.size == len(served)
        kinds = sorted((r.kind, r.page_label) for r in rows if r.kind != "article")
        assert kinds == [
            ("layout", "A1"),
            ("layout", "A2"),
            ("layout", "A3"),
            ("pdf", "A1"),
            ("pdf", "A2"),
            ("pdf", "A3"),
        ]
    assert not list(crawled.raw_dir.rglob("*.part")) and not list(crawled.raw_dir.rglob("*.tmp"))


def test_objects_are_stored_once(crawled: Settings) -> None:
    objects = [p for p in (crawled.raw_dir / "objects").rglob("*") if p.is_file()]
    # Content addressing: one file per distinct body, however many fetches returned it.
    rows = [
        r
        for d in ("2025-12-29", "2026-01-05")
        for r in RawZone(crawled.raw_dir).read_manifest("sample", d)
    ]
    assert len(objects) == len({r.sha256 for r in rows})


def test_missing_page_and_no_issue_day_are_recorded(settings: Settings, site_copy: Path) -> None:
    (site_copy / "pc/layout/202512/29/node_A3.html").unlink()
    with serve_directory(site_copy) as url:
        crawl_dates("sample", ["2025-12-29", "2025-12-30"], base_url=url, settings=settings)
    rows = RawZone(settings.raw_dir).read_manifest("sample", "2025-12-29")
    missing = [r for r in rows if r.status != 200]
    assert [(r.url, r.status, r.error, r.sha256) for r in missing] == [
        (BASE + "pc/layout/202512/29/node_A3.html", 404, "HTTP 404", None)
    ]
    no_issue = parse_issue("sample", "2025-12-30", settings=settings)
    assert no_issue["status"] == "missing" and no_issue["problems"] == 0


def test_unreachable_host_is_recorded_not_raised(settings: Settings) -> None:
    with serve_directory(Path(__file__).parent) as url:
        dead = url  # the server is shut down on leaving the block: nothing listens there now
    result = crawl_dates("sample", ["2025-12-29"], base_url=dead, settings=settings)
    rows = RawZone(settings.raw_dir).read_manifest("sample", "2025-12-29")
    assert result["issues"]["2025-12-29"]["errors"] >= 1
    assert rows and all(r.status is None and r.error for r in rows)
