"""An issue too large to be real is cut at the caps: the excess is named as a problem, the
rest is parsed and loaded (the same whether pages are parsed together or apart)."""

from __future__ import annotations

from typing import Any

import pytest

from baokan import parse_issue as parsing
from baokan.config import Settings
from baokan.models import IssueRecord
from baokan.rawzone import RawZone
from baokan.sites import get_site

DAY = "2025-12-29"


def _apart(settings: Settings) -> IssueRecord:
    """The issue parsed page by page and merged, as the Airflow DAG's tasks do."""
    profile, zone = get_site("sample", settings), RawZone(settings.raw_dir)
    issue, links = parsing.open_issue(profile, DAY, zone)
    for position, link in enumerate(links, 1):
        part, _ = parsing.parse_page(profile, DAY, zone, link, position)
        issue.pages += part.pages
        issue.articles += part.articles
        issue.problems += part.problems
    return parsing.finish_issue(issue)


def test_pages_over_the_cap_are_not_parsed_and_named(
    crawled: Settings, truth: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parsing, "MAX_PAGES", 2)
    issue = parsing.parse_issue(get_site("sample", crawled), DAY, RawZone(crawled.raw_dir))
    pages = truth[DAY]["pages"]
    assert [p.label for p in issue.pages] == [p["label"] for p in pages[:2]]
    assert issue.pages_parsed == 2 and issue.status == "partial"
    expected = sum(len(p["articles"]) for p in pages[:2])
    assert len(issue.articles) >= expected
    [problem] = [p for p in issue.problems if p.kind == "too_many_pages"]
    assert problem.source.endswith(pages[0]["index"])  # the index page: the entry URL
    assert problem.message == (
        "the index lists 3 pages; only the first 2 (the cap per issue) are parsed"
    )


def test_articles_over_the_cap_are_not_parsed_and_named(
    crawled: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = parsing.parse_issue(get_site("sample", crawled), DAY, RawZone(crawled.raw_dir))
    assert len(whole.articles) > 4
    monkeypatch.setattr(parsing, "MAX_ARTICLES", 4)
    together = parsing.parse_issue(get_site("sample", crawled), DAY, RawZone(crawled.raw_dir))
    apart = _apart(crawled)
    for issue in (together, apart):
        assert [a.article_id for a in issue.articles] == [a.article_id for a in whole.articles[:4]]
        assert issue.status == "partial"
        capped = [p for p in issue.problems if p.kind == "too_many_articles"]
        assert capped, issue.problems
        assert all(
            "cap of 4 articles" in p.message or "(the cap per issue)" in p.message for p in capped
        )
        # The page where the cap was reached is named first.
        fifth = whole.articles[4]
        assert capped[0].source == next(p.url for p in whole.pages if p.label == fifth.page_label)
    assert together.problems[0].message == (
        "2 of its 3 article pages (not parsed) left out: the issue reached its cap of 4 articles"
    )
    assert [p.message for p in apart.problems if p.kind == "too_many_articles"] == [
        "9 articles; only the first 4 (the cap per issue) are kept, the rest from this page on "
        "are not loaded"
    ]
