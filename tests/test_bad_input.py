"""Bad input is named, counted and contained: the rest of the issue (and the run) still loads."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb

from baokan import steps
from baokan.config import Settings
from baokan.ingest import ingest
from baokan.serve import serve_directory
from warehouse import open_warehouse

BASE = "http://paper.sample.baokan.invalid/"


def test_missing_page_broken_pdf_and_empty_article(
    settings: Settings, site_copy: Path, truth: dict[str, dict[str, Any]]
) -> None:
    a1, a2, a3 = truth["2025-12-29"]["pages"]
    (site_copy / a2["index"]).unlink()  # a missing page
    pdf = site_copy / a3["pdf"]
    pdf.write_bytes(pdf.read_bytes()[:2000])  # a truncated PDF
    empty = site_copy / a1["articles"][1]["url"]  # an article page without a body
    html = empty.read_text("utf-8")
    empty.write_text(
        re.sub(r"<founder-content>.*</founder-content>", "", html, flags=re.S), "utf-8"
    )

    with serve_directory(site_copy) as url:
        result = ingest("sample", ["2025-12-29", "2026-01-05"], base_url=url, settings=settings)

    assert result.failures == []
    broken, intact = result.issues
    assert intact["status"] == "complete" and intact["articles"] == 9
    assert broken["status"] == "partial"
    assert (broken["pages_listed"], broken["pages_fetched"], broken["pages_parsed"]) == (3, 2, 1)
    details = sorted(broken["problem_details"])
    assert len(details) == 3
    assert details[0] == (
        f"article_parse: {BASE}{a1['articles'][1]['url']}: "
        "article page has no body text (#ozoom founder-content p, #ozoom p)"
    )
    assert details[1] == f"page_fetch: {BASE}{a2['index']}: HTTP 404"
    assert details[2].startswith(f"pdf_parse: {BASE}{a3['pdf']}: not a readable PDF (")
    db = settings.warehouse.removeprefix("duckdb:///")
    with duckdb.connect(db, read_only=True) as con:
        rows = con.execute(
            "SELECT page_label, title, text_source, body FROM marts.articles "
            "WHERE issue_date = '2025-12-29' ORDER BY page_label, position"
        ).fetchall()
        issue = con.execute(
            "SELECT status, problems FROM marts.issues WHERE issue_date = '2025-12-29'"
        ).fetchone()
    assert issue == ("partial", 3)
    # A1: three articles, the empty page's text recovered from its PDF region; A2: gone;
    # A3: three articles from HTML only (its PDF is unreadable).
    assert [(p, s) for p, _, s, _ in rows] == [
        ("A1", "both"),
        ("A1", "pdf"),
        ("A1", "both"),
        ("A3", "html"),
        ("A3", "html"),
        ("A3", "html"),
    ]
    recovered = rows[1]
    assert recovered[1] == a1["articles"][1]["title"]
    assert recovered[3] == "\n".join(a1["articles"][1]["paragraphs"])


def test_two_pages_with_one_label_both_load_under_distinct_labels(
    tmp_path: Path, site_copy: Path, truth: dict[str, dict[str, Any]], warehouse_url: str
) -> None:
    day = "2025-12-29"
    a1, a2, a3 = truth[day]["pages"]
    for page in (a1, a2, a3):  # every page's list calls A2 "A1" too
        index = site_copy / page["index"]
        index.write_text(index.read_text("utf-8").replace("A2：园区", "A1：园区"), "utf-8")
    settings = Settings(tmp_path / "data", warehouse_url, None)

    with serve_directory(site_copy) as url:
        result = ingest("sample", [day], base_url=url, settings=settings)

    assert result.failures == []
    (issue,) = result.issues
    assert issue["status"] == "partial" and issue["articles"] == 9
    assert issue["problem_details"] == [
        f"page_label_duplicate: {BASE}{a1['index']}: 2 pages are labelled 'A1'; loaded as "
        f"A1 ({BASE}{a1['index']}), A1-2 ({BASE}{a2['index']})"
    ]
    with open_warehouse(warehouse_url) as store:
        pages = store.execute("SELECT page_label, page_name, url FROM core.pages ORDER BY position")
        arts = store.execute(
            "SELECT a.page_label, a.title FROM marts.articles a "
            "JOIN core.pages p USING (site_id, issue_date, page_label) ORDER BY p.position, a.position"
        )
        ads = store.execute("SELECT page_label, url FROM marts.ads ORDER BY page_label")
        problems = store.execute("SELECT kind, source FROM core.problems")
    assert pages == [
        ("A1", "要闻", f"{BASE}{a1['index']}"),
        ("A1-2", "园区", f"{BASE}{a2['index']}"),
        ("A3", "创新", f"{BASE}{a3['index']}"),
    ]
    expected = [
        (label, art["title"])
        for label, page in zip(("A1", "A1-2", "A3"), (a1, a2, a3), strict=True)
        for art in page["articles"]
    ]
    assert arts == expected  # every article, each on its own page's (renamed) label
    labels = {"A1": a1, "A1-2": a2, "A3": a3}
    assert ads and all(url == f"{BASE}{labels[label]['index']}" for label, url in ads)
    assert problems == [("page_label_duplicate", f"{BASE}{a1['index']}")]
    # The Airflow path maps tasks over the same renamed list, and merges the same problem.
    listed = steps.list_pages("sample", day, settings=settings)["pages"]
    assert [p["label"] for p in listed] == ["A1", "A1-2", "A3"]
    for page in listed:
        steps.parse_page("sample", day, page, settings=settings)
    merged = steps.reconcile_issue("sample", day, settings=settings)
    assert merged["problem_details"] == issue["problem_details"]
