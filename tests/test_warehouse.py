"""The DuckDB loader on a real file: marts contract, idempotent re-loads, atomic failures."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from baokan.config import Settings
from baokan.steps import process_issue
from warehouse import duckdb_store

DAY = "2025-12-29"
MART_COLUMNS = {
    "site_id",
    "publication",
    "issue_date",
    "page_label",
    "page_name",
    "kicker",
    "title",
    "subtitle",
    "author",
    "body",
    "char_count",
    "url",
    "pdf_sha256",
    "bbox",
    "text_source",
    "pdf_html_similarity",
    "cluster_id",
    "is_canonical",
    "parser_version",
}


@pytest.fixture
def wh(crawled: Settings, tmp_path: Path) -> Settings:
    """A private copy of the crawled raw zone with its own, empty warehouse."""
    shutil.copytree(crawled.raw_dir, tmp_path / "data" / "raw")
    return Settings(tmp_path / "data", f"duckdb:///{tmp_path / 'wh.duckdb'}", None)


def _rows(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(settings.warehouse.removeprefix("duckdb:///"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_load_fills_the_marts_contract(wh: Settings) -> None:
    result = process_issue("sample", DAY, settings=wh)
    assert result["status"] == "complete" and result["articles"] == 9
    cols = {
        r[0]
        for r in _rows(
            wh,
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts' AND table_name = 'articles'",
        )
    }
    assert cols >= MART_COLUMNS
    arts = _rows(
        wh,
        "SELECT title, body, text_source, pdf_html_similarity, char_count, bbox, url FROM marts.articles",
    )
    assert len(arts) == 9
    for title, body, source, sim, chars, bbox, url in arts:
        assert title and body and chars == len(body)
        assert source == "both" and sim >= 0.99 and len(bbox) == 4
        assert url.startswith("http://paper.sample.baokan.invalid/pc/content/202512/29/")
    issue = _rows(
        wh,
        "SELECT pages_listed, pages_fetched, pages_parsed, articles, ads, problems, status FROM marts.issues",
    )
    assert issue == [(3, 3, 3, 9, 1, 0, "complete")]
    assert _rows(wh, "SELECT count(*) FROM raw.manifest")[0][0] == 15


def test_reload_replaces_the_issue_and_keeps_keys(wh: Settings) -> None:
    process_issue("sample", DAY, settings=wh)
    process_issue("sample", "2026-01-05", settings=wh)
    before = _rows(wh, "SELECT * FROM marts.articles ORDER BY article_id")
    process_issue("sample", DAY, settings=wh)
    assert _rows(wh, "SELECT * FROM marts.articles ORDER BY article_id") == before
    assert _rows(wh, "SELECT count(*) FROM core.load_runs")[0][0] == 3


def test_failed_load_leaves_previous_rows(wh: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    process_issue("sample", DAY, settings=wh)
    before = _rows(wh, "SELECT * FROM marts.articles ORDER BY article_id")
    real = duckdb_store._insert

    def crash_on_ads(
        con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]
    ) -> None:
        if table == "core.ads":
            raise RuntimeError("simulated crash mid-load")
        real(con, table, rows)

    monkeypatch.setattr(duckdb_store, "_insert", crash_on_ads)
    with pytest.raises(RuntimeError, match="simulated crash"):
        process_issue("sample", DAY, settings=wh)
    assert _rows(wh, "SELECT * FROM marts.articles ORDER BY article_id") == before
    assert _rows(wh, "SELECT count(*) FROM core.ads")[0][0] == 1


def test_reprint_is_one_cluster_with_the_first_appearance_canonical(wh: Settings) -> None:
    process_issue("sample", DAY, settings=wh)
    process_issue("sample", "2026-01-05", settings=wh)
    rows = _rows(
        wh,
        "SELECT issue_date::VARCHAR, page_label, cluster_id, is_canonical FROM marts.articles WHERE title = '让实验室成果走出“最后一公里”' ORDER BY issue_date",
    )
    assert [(d, p, c) for d, p, _, c in rows] == [
        ("2025-12-29", "A3", True),
        ("2026-01-05", "A2", False),
    ]
    assert rows[0][2] == rows[1][2]
    assert _rows(wh, "SELECT count(DISTINCT cluster_id), count(*) FROM marts.articles") == [
        (17, 18)
    ]


def test_unsupported_warehouse_url_is_a_clear_error() -> None:
    with pytest.raises(duckdb_store.WarehouseError, match="expected duckdb"):
        duckdb_store.open_warehouse("sqlite:///x.db")
