"""The raw zone: atomic writes, and no URL, site id or date can write outside it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from baokan.config import Settings
from baokan.fsutil import write_bytes_atomic
from baokan.rawzone import ManifestRow, RawZone, check_key
from baokan.steps import crawl_dates
from tests.replica import copy_sample, serve

DAY = "2025-12-29"
CRAFTED = [
    "../../../../../../../../../../tmp/baokan-escape.html",
    "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/tmp/baokan-escape2.html",
    "..%2f..%2f..%2f..%2fbaokan-escape3.html",
    "content_1.html?x=/../../../../etc/passwd",
    "file:///etc/passwd",
    "/%00/../../x.html",
]


@pytest.mark.parametrize(
    ("site_id", "issue_date"),
    [
        ("../etc", DAY),
        ("a/b", DAY),
        ("..", DAY),
        ("", DAY),
        ("Sample", DAY),
        ("sample\x00", DAY),
        ("sample", "../2025-12-29"),
        ("sample", "2025-12-29/../../x"),
        ("sample", "20251229"),
        ("sample", "2025-W52-1"),
        ("sample", "2025-12-29T00:00"),
    ],
)
def test_keys_that_could_escape_are_refused(site_id: str, issue_date: str) -> None:
    with pytest.raises(ValueError):
        check_key(site_id, issue_date)


def test_object_paths_only_take_digests(tmp_path: Path) -> None:
    zone = RawZone(tmp_path)
    for bad in ("../" * 10 + "x", "a" * 63 + "/", "A" * 64, "g" * 64):
        with pytest.raises(ValueError):
            zone.object_path(bad)


def test_crafted_links_never_write_outside_the_zone(settings: Settings, tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    index = site / "pc/layout/202512/29/node_A1.html"
    links = "".join(f'<li class="clearfix"><a href="{href}"><p>x</p></a></li>' for href in CRAFTED)
    html = index.read_text("utf-8").replace(
        '<ul id="articlelist">', f'<ul id="articlelist">{links}'
    )
    index.write_text(html, "utf-8")
    before = {p for p in Path("/tmp").glob("baokan-escape*")}
    with serve(site) as (url, _):
        crawl_dates("chinahightech", [DAY], base_url=url, settings=settings)
    assert {p for p in Path("/tmp").glob("baokan-escape*")} == before
    written = [p for p in settings.data_dir.rglob("*") if p.is_file()]
    raw = settings.raw_dir.resolve()
    for path in written:
        real = path.resolve()
        assert real.is_relative_to(raw) or real.is_relative_to(settings.data_dir / "logs")
    objects = [p for p in written if p.resolve().is_relative_to(raw / "objects")]
    assert all(len(p.name) == 64 and p.parent.name == p.name[:2] for p in objects)
    manifests = [
        p.relative_to(raw) for p in written if p.resolve().is_relative_to(raw / "manifests")
    ]
    assert manifests == [Path("manifests/chinahightech/2025-12-29.jsonl")]
    urls = {r.url for r in RawZone(settings.raw_dir).read_manifest("chinahightech", DAY)}
    assert not any(u.startswith("file:") for u in urls)


def test_object_writes_are_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "objects" / "ab" / "x"

    def crash(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError):
        write_bytes_atomic(target, b"partial bytes")
    assert not target.exists() and list(target.parent.iterdir()) == []


def test_manifest_is_invisible_until_committed(tmp_path: Path) -> None:
    zone = RawZone(tmp_path)
    writer = zone.manifest_writer("sample", DAY)
    row = ManifestRow("sample", DAY, "layout", "http://x/", "http://x/", 200, None, 1, None, "t")
    writer.write(row)
    assert zone.read_manifest("sample", DAY) == []  # readers see nothing half-written
    assert len(zone.read_manifest("sample", DAY, include_partial=True)) == 1
    writer.commit()
    assert zone.read_manifest("sample", DAY) == [row]
    assert not list(tmp_path.rglob("*.part"))
