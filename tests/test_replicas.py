"""The three shipped profiles crawl local replicas of their real sites through the real spider."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from baokan.config import Settings
from baokan.rawzone import RawZone
from baokan.sites import get_site
from baokan.steps import crawl_dates, crawl_issue, process_issue
from tests.replica import Behaviour, Expected, build_jxrb, build_rmrb, copy_sample, serve


def build_chinahightech(root: Path) -> Expected:
    """The bundled sample is built to chinahightech's template; its truth lists every URL."""
    copy_sample(root)
    truth = json.loads((root.parent / "truth.json").read_text("utf-8"))
    exp = Expected()
    for page in truth["pages"]:
        exp.layout.add(page["index"])
        exp.pdf.add(page["pdf"])
        exp.article |= {a["url"] for a in page["articles"]}
    return exp


SITES: list[tuple[str, str, Callable[[Path], Expected]]] = [
    ("chinahightech", "2025-12-29", build_chinahightech),
    ("rmrb", "2024-12-25", build_rmrb),
    ("jxrb", "2017-10-09", build_jxrb),
]


@pytest.fixture
def replica(
    request: pytest.FixtureRequest, tmp_path: Path, sample_dir: Path
) -> tuple[str, str, Path, Expected]:
    site, day, build = request.param
    (tmp_path / "truth.json").write_bytes((sample_dir / "truth" / "2025-12-29.json").read_bytes())
    root = tmp_path / "site"
    return site, day, root, build(root)


@pytest.mark.parametrize("replica", SITES, indirect=True, ids=[s[0] for s in SITES])
def test_profile_crawls_every_page_pdf_and_article(
    settings: Settings, replica: tuple[str, str, Path, Expected]
) -> None:
    site, day, root, exp = replica
    base = get_site(site).base_url
    with serve(root) as (url, served):
        result = crawl_issue(site, day, base_url=url)
        again = crawl_dates(site, [day], base_url=url, settings=settings)
        hits_after_first = len(served.log)
    rows = RawZone(settings.raw_dir).read_manifest(site, day)
    for kind in ("layout", "pdf", "article"):
        got = {r.url.removeprefix(base) for r in rows if r.kind == kind}
        assert got == getattr(exp, kind), kind
    assert len(rows) == len(exp.all())  # each URL fetched once, ?div variants included
    assert all(r.status == 200 and r.sha256 and r.error is None for r in rows)
    assert all(r.page_label for r in rows)
    for row in rows:
        assert (
            RawZone(settings.raw_dir).get(row.sha256 or "")
            == (root / row.url[len(base) :]).read_bytes()
        )
    stats = result["stats"]
    assert (stats["pages"], stats["pdfs"], stats["articles"]) == (
        len(exp.layout),
        len(exp.pdf),
        len(exp.article),
    )
    assert stats["errors"] == {} and stats["bytes"] == sum(r.size for r in rows)
    # Re-running a crawled date fetches nothing new.
    assert again["stats"]["issues_skipped"] == [day] and again["log"] is None
    assert hits_after_first == len(exp.all()) + 1  # + robots.txt


def test_classic_issue_parses_into_the_warehouse(settings: Settings, tmp_path: Path) -> None:
    exp = build_jxrb(tmp_path / "site")
    # The server lies too: every article page says GB2312, over GBK or UTF-8 bytes.
    lie = Behaviour(content_type=dict.fromkeys(exp.article, "text/html; charset=GB2312"))
    with serve(tmp_path / "site", lie) as (url, _):
        crawl_dates("jxrb", ["2017-10-09"], base_url=url, settings=settings)
    loaded = process_issue("jxrb", "2017-10-09", settings=settings)
    assert loaded["pages_listed"] == 12 and loaded["pages_parsed"] == 12
    issue = json.loads(settings.parsed_path("jxrb", "2017-10-09").read_text("utf-8"))
    html = [a for a in issue["articles"] if a["url"]]
    base = get_site("jxrb").base_url
    # Titles come from the enpproperty comment, decoded right whether GBK or UTF-8 bytes.
    assert {a["url"].removeprefix(base): a["title"] for a in html} == exp.titles
    first = next(a for a in html if a["url"].endswith("content_401862.htm"))
    assert first["title"] == "站在新的更高起点探索生态文明建设"
    assert first["author"] == "本报记者 李0" and first["subtitle"] == "副题0"
    assert "朱镕基" in first["body"] and first["page_label"] == "A01"
    assert {a["page_label"] for a in html} == {f"{s}0{n}" for s in "ABC" for n in range(1, 5)}
