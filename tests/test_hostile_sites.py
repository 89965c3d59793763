"""Hostile sites, against real local servers: lying charsets, off-site links, endless lists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from baokan import crawl
from baokan.config import Settings
from baokan.rawzone import RawZone
from baokan.sites import get_site
from baokan.steps import parse_issue
from tests.replica import Behaviour, copy_sample, serve

DAY = "2025-12-29"
A2 = "pc/layout/202512/29/node_A2.html"
ARTICLE = "pc/content/202512/29/content_1002.html"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A private copy of the sample (chinahightech template) to make hostile."""
    return copy_sample(tmp_path / "site")


def _run(settings: Settings, url: str, **kwargs: Any) -> dict[str, Any]:
    profile = get_site("chinahightech", settings)
    return crawl.run_crawl(profile, [DAY], settings, url, **kwargs)


def _rows(settings: Settings) -> dict[str, Any]:
    rows = RawZone(settings.raw_dir).read_manifest("chinahightech", DAY)
    return {r.url.split("/", 3)[3]: r for r in rows}


def test_pages_labelled_with_non_text_codecs_are_sniffed_not_dropped(
    settings: Settings, site: Path
) -> None:
    page = site / A2
    page.write_bytes(
        page.read_bytes().replace(b'<meta charset="utf-8">', b'<meta charset="rot13">')
    )
    behaviour = Behaviour(content_type={ARTICLE: "text/html; charset=base64"})
    with serve(site, behaviour) as (url, _):
        result = _run(settings, url)
    rows = _rows(settings)
    assert result["stats"]["errors"] == {}
    assert rows[A2].status == 200 and rows[ARTICLE].status == 200
    # A2's own articles were found, so its page was decoded.
    assert result["stats"]["articles"] == 9 and len(rows) == 15
    issue = parse_issue("chinahightech", DAY, settings=settings)
    assert issue["problems"] == 0
