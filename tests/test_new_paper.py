"""A fourth classic-Founder paper, added with nothing but the README's profile file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baokan.cli import main
from baokan.config import Settings
from baokan.rawzone import RawZone
from tests.replica import build_classic_paper, readme_profile, serve


def test_readme_profile_crawls_a_local_copy(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "mzrb.toml").write_text(readme_profile(), "utf-8")
    monkeypatch.setenv("BAOKAN_SITES_DIR", str(sites))
    # Pages 01, 02 and 04: no 03 that day. 2017-10-10 has no issue at all.
    exp = build_classic_paper(tmp_path / "site", "2017-10-09", ["01", "02", "04"])
    assert main(["sites"]) == 0
    assert "mzrb" in capsys.readouterr().out
    with serve(tmp_path / "site") as (url, served):
        args = ["ingest", "mzrb", "--date", "2017-10-09", "--until", "2017-10-10"]
        assert main([*args, "--base-url", url]) == 0
        first = capsys.readouterr().out
        fetched = len(served.paths())
        assert main([*args, "--base-url", url]) == 0
        second = capsys.readouterr().out
        assert len(served.paths()) == fetched  # nothing new fetched
    assert "crawl: 3 pages, 3 PDFs, 9 articles" in first
    assert "errors: none; no-issue days: 2017-10-10" in first
    assert "already complete (skipped): 2/2" in second and "crawl: 0 pages" in second
    rows = RawZone(settings.raw_dir).read_manifest("mzrb", "2017-10-09")
    base = "http://epaper.mzrb.example.cn/"
    assert {r.url.removeprefix(base) for r in rows} == exp.all()
    assert sorted(str(r.page_label) for r in rows if r.kind == "pdf") == ["01", "02", "04"]
    issue = json.loads(settings.parsed_path("mzrb", "2017-10-09").read_text("utf-8"))
    assert [p["label"] for p in issue["pages"]] == ["01", "02", "04"]
    titles = {a["url"].removeprefix(base): a["title"] for a in issue["articles"] if a["url"]}
    assert titles == exp.titles
