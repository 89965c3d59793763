"""A damaged raw zone is found on read, never replaces good warehouse rows, and is re-fetched."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from baokan.config import Settings
from baokan.ingest import ingest
from baokan.rawzone import RawZone
from baokan.steps import parse_issue
from tests.replica import serve

DAY = "2025-12-29"
BASE = "http://paper.sample.baokan.invalid/"


def _longest_article(truth: dict[str, dict[str, Any]]) -> dict[str, Any]:
    arts = [a for page in truth[DAY]["pages"] for a in page["articles"]]
    return max(arts, key=lambda a: len("\n".join(a["paragraphs"])))


def _bodies(settings: Settings) -> dict[str, int]:
    db = settings.warehouse.removeprefix("duckdb:///")
    with duckdb.connect(db, read_only=True) as con:
        rows = con.execute(
            "SELECT title, length(body) FROM marts.articles WHERE issue_date = ?", [DAY]
        ).fetchall()
    return {title: n for title, n in rows}


@pytest.mark.parametrize("damage", ["truncate", "delete"])
def test_damaged_object_is_named_kept_out_of_the_warehouse_and_fetched_again(
    settings: Settings, site_copy: Path, truth: dict[str, dict[str, Any]], damage: str
) -> None:
    art = _longest_article(truth)
    zone = RawZone(settings.raw_dir)
    with serve(site_copy) as (url, served):
        first = ingest("sample", [DAY], base_url=url, settings=settings)
        assert first.failures == [] and first.issues[0]["status"] == "complete"
        good = _bodies(settings)
        row = {r.url: r for r in zone.read_manifest("sample", DAY)}[BASE + art["url"]]
        obj = zone.object_path(row.sha256 or "")
        if damage == "truncate":
            obj.write_bytes(obj.read_bytes()[: row.size // 3])
        else:
            obj.unlink()

        # reparse: no network; the damage is a problem naming the URL and the object.
        reparsed = ingest("sample", [DAY], crawl=False, settings=settings)
        (failure,) = reparsed.failures
        assert f"raw_object: {BASE}{art['url']}: object {obj} is " in failure
        assert ("is missing" if damage == "delete" else "is corrupt") in failure
        assert "keeps its earlier load" in failure
        assert _bodies(settings) == good  # every body as long as before

        # The next ingest (no --force) fetches just that URL again and loads the issue.
        since = len(served.log)
        again = ingest("sample", [DAY], base_url=url, settings=settings)
        assert served.paths(since) == [art["url"]]
    assert again.failures == [] and again.issues[0]["status"] == "complete"
    assert len(again.crawl["stats"]["raw_damage"]) == 1
    assert zone.verify(row.sha256 or "") is None
    assert _bodies(settings) == good


def test_damaged_object_without_an_earlier_load_loads_what_verified(
    settings: Settings, site_copy: Path, truth: dict[str, dict[str, Any]]
) -> None:
    art = _longest_article(truth)
    zone = RawZone(settings.raw_dir)
    with serve(site_copy) as (url, _):
        ingest("sample", [DAY], base_url=url, settings=settings)
    Path(settings.warehouse.removeprefix("duckdb:///")).unlink()
    row = {r.url: r for r in zone.read_manifest("sample", DAY)}[BASE + art["url"]]
    obj = zone.object_path(row.sha256 or "")
    obj.write_bytes(obj.read_bytes()[:100])
    result = ingest("sample", [DAY], crawl=False, settings=settings)
    assert result.failures == []
    (issue,) = result.issues
    assert issue["status"] == "partial"
    assert f"raw_object: {BASE}{art['url']}: object {obj} is corrupt" in "\n".join(
        issue["problem_details"]
    )


BAD_LINES = [
    b'{"site_id": "sample", "issue_date": "2025-12-29", "kind": "article"',  # torn JSON
    b'{"site_id": "sample", "issue_date": "2025-12-29", "kind": "article", "url": "u", '
    b'"fetched_url": "u", "status": "200", "content_type": null, "size": 1, '
    b'"sha256": null, "fetched_at": "t"}',  # status is a string
    b'{"site_id": "sample", "issue_date": "2025-12-29", "kind": "pdf"}',  # fields missing
    b'{"site_id": "sample", "url": "\xff\xfe"}',  # invalid UTF-8
    b'{"site_id": "sample\x00", "issue_date": "2025-12-29"}',  # a NUL byte
    b"[1, 2, 3]",  # JSON, but not an object
]
MESSAGES = [
    "not valid JSON (Expecting ',' delimiter at column 68)",
    "field 'status' must be int, got '200'",
    "missing field 'url'",
    "not valid UTF-8 (invalid start byte at byte 30)",
    "line contains a NUL byte",
    "not a JSON object but list",
]


def test_bad_manifest_lines_are_problems_and_the_valid_lines_still_count(
    settings: Settings, site_copy: Path
) -> None:
    zone = RawZone(settings.raw_dir)
    with serve(site_copy) as (url, served):
        ingest("sample", [DAY], base_url=url, settings=settings)
        good = _bodies(settings)
        path = zone.manifest_path("sample", DAY)
        lines = path.read_bytes().splitlines()
        # The last valid row of the issue also turns bad: an int where a string belongs.
        last = json.loads(lines[-1])
        lost = last["url"]
        last["url"] = 7
        broken = [*lines[:-1], json.dumps(last).encode(), *BAD_LINES]
        path.write_bytes(b"\n".join(broken) + b"\n")

        parsed = parse_issue("sample", DAY, settings=settings)
        first_bad = len(lines)
        details = [d for d in parsed["problem_details"] if d.startswith("manifest_line")]
        assert details == [f"manifest_line: {path}:{first_bad}: field 'url' must be str, got 7"] + [
            f"manifest_line: {path}:{first_bad + n}: {msg}" for n, msg in enumerate(MESSAGES, 1)
        ]
        assert len(zone.read_manifest("sample", DAY)) == len(lines) - 1  # valid lines count
        assert parsed["status"] == "partial"

        reparsed = ingest("sample", [DAY], crawl=False, settings=settings)
        assert len(reparsed.failures) == 1 and "keeps its earlier load" in reparsed.failures[0]
        assert _bodies(settings) == good

        # The next ingest fetches the row it lost and writes a clean manifest.
        since = len(served.log)
        again = ingest("sample", [DAY], base_url=url, settings=settings)
        assert served.paths(since) == [lost.removeprefix(BASE)]
    assert again.failures == [] and again.issues[0]["status"] == "complete"
    assert zone.read_manifest_checked("sample", DAY).problems == []
    assert _bodies(settings) == good
