"""The warehouse on a real DuckDB file and the real PostgreSQL server: contract, re-loads,
atomic failures, migrations, comments and search, on both backends."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from baokan.config import Settings
from baokan.steps import process_issue
from warehouse import dedup_store, open_warehouse
from warehouse.dedup_store import DedupStore
from warehouse.duckdb_store import DuckDBWarehouse
from warehouse.migrations import MIGRATIONS
from warehouse.postgres_store import PostgresWarehouse
from warehouse.schema import MARTS, TABLES
from warehouse.store import WarehouseError, search_sql

DAY, DAY2 = "2025-12-29", "2026-01-05"
REPRINT = "让实验室成果走出“最后一公里”"
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
    "author_role",
    "author_names",
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


def make_settings(crawled: Settings, tmp_path: Path, url: str) -> Settings:
    """A private copy of the crawled raw zone loading into the warehouse at `url`."""
    shutil.copytree(crawled.raw_dir, tmp_path / "data" / "raw")
    return Settings(tmp_path / "data", url, None)


def rows(url: str, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """Run one query against the warehouse at `url`."""
    with open_warehouse(url) as store:
        return store.execute(sql, params or [])


@pytest.fixture
def wh(crawled: Settings, tmp_path: Path, warehouse_url: str) -> Settings:
    """Settings with a private raw zone and an empty warehouse, once per backend."""
    return make_settings(crawled, tmp_path, warehouse_url)


def test_load_fills_the_marts_contract(wh: Settings) -> None:
    result = process_issue("sample", DAY, settings=wh)
    assert result["status"] == "complete" and result["articles"] == 9
    cols = rows(
        wh.warehouse,
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'marts' AND table_name = 'articles'",
    )
    assert {c for (c,) in cols} >= MART_COLUMNS
    arts = rows(
        wh.warehouse,
        "SELECT title, body, text_source, pdf_html_similarity, char_count, bbox, url "
        "FROM marts.articles",
    )
    assert len(arts) == 9
    for title, body, source, sim, chars, bbox, url in arts:
        assert title and body and chars == len(body)
        assert source == "both" and sim >= 0.99 and len(bbox) == 4
        assert url.startswith("http://paper.sample.baokan.invalid/pc/content/202512/29/")
    issue = rows(
        wh.warehouse,
        "SELECT pages_listed, pages_fetched, pages_parsed, articles, ads, problems, status "
        "FROM marts.issues",
    )
    assert issue == [(3, 3, 3, 9, 1, 0, "complete")]
    assert rows(wh.warehouse, "SELECT count(*) FROM raw.manifest") == [(15,)]


def test_bylines_load_split_into_role_and_names(wh: Settings) -> None:
    for day in (DAY, DAY2):
        process_issue("sample", day, settings=wh)
    got = rows(wh.warehouse, "SELECT author, author_role, author_names FROM marts.articles")
    split = {author: (role, list(names)) for author, role, names in got}
    assert len(got) == 18 and all(role for _, role, _ in got)
    assert split["本报记者 王静 通讯员 陈晓"] == ("本报记者、通讯员", ["王静", "陈晓"])
    assert split["本报记者 张明 李文"] == ("本报记者", ["张明", "李文"])
    assert split["本报编辑部"] == ("本报编辑部", [])
    # an analyst's query for one reporter's articles: both bylines that name 张明
    by_name = rows(
        wh.warehouse,
        "SELECT author FROM marts.articles WHERE ? = ANY(author_names) ORDER BY author",
        ["张明"],
    )
    assert by_name == [("本报记者 张明",), ("本报记者 张明 李文",)]


# Names an array literal or COPY must quote or escape: separators, quotes, braces, NULL, …
AWKWARD_NAMES = [
    "a,b", '"引号"', "{括号}", "NULL", "null", "back\\slash", "John Smith", "阿不都·热合曼",
    "", " ", "tab\tx", "line\nbreak", "\\N", "'单引号'",
]  # fmt: skip


def test_author_names_round_trip_awkward_characters(wh: Settings) -> None:
    from baokan.fsutil import read_json
    from baokan.models import IssueRecord
    from baokan.sites import get_site

    process_issue("sample", DAY, settings=wh)
    issue = IssueRecord.from_dict(read_json(wh.staged_path("sample", DAY)))
    issue.articles[0].author_names = AWKWARD_NAMES
    issue.articles[1].author_names = []
    issue.articles[1].author_role = '角色,含"引号"'
    with open_warehouse(wh.warehouse) as store:
        store.load_issue(get_site("sample", wh), issue, [])
        mart = store.mart_table("marts.articles")
    by_id = dict(zip(mart["article_id"].to_pylist(), mart["author_names"].to_pylist(), strict=True))
    expected = {a.article_id: a.author_names for a in issue.articles}
    assert by_id == expected and by_id[issue.articles[0].article_id] == AWKWARD_NAMES
    stored = rows(
        wh.warehouse,
        "SELECT author_role, author_names FROM core.articles WHERE article_id = ?",
        [issue.articles[1].article_id],
    )
    assert [(r, list(n)) for r, n in stored] == [('角色,含"引号"', [])]


def test_every_core_row_carries_provenance(wh: Settings) -> None:
    result = process_issue("sample", DAY, settings=wh)
    run = result["load_run"]
    for table in ("raw.manifest", "core.issues", "core.pages", "core.articles", "core.ads"):
        assert rows(wh.warehouse, f"SELECT DISTINCT load_run, site_id FROM {table}") == [
            (run, "sample")
        ]
    ads = rows(
        wh.warehouse, "SELECT page_label, url, pdf_sha256, bbox, parser_version FROM core.ads"
    )
    assert len(ads) == 1 and all(v is not None for v in ads[0])
    assert ads[0][1].endswith(f"node_{ads[0][0]}.html")


def test_reload_replaces_the_issue_and_keeps_keys(wh: Settings) -> None:
    process_issue("sample", DAY, settings=wh)
    process_issue("sample", DAY2, settings=wh)
    before = rows(wh.warehouse, "SELECT * FROM marts.articles ORDER BY article_id")
    other = rows(wh.warehouse, "SELECT load_run FROM core.issues WHERE issue_date = ?", [DAY2])
    process_issue("sample", DAY, settings=wh)
    assert rows(wh.warehouse, "SELECT * FROM marts.articles ORDER BY article_id") == before
    assert rows(wh.warehouse, "SELECT count(*) FROM core.load_runs") == [(3,)]
    # the other issue was not touched: still the rows of its own load run
    assert (
        rows(
            wh.warehouse, "SELECT DISTINCT load_run FROM core.articles WHERE issue_date = ?", [DAY2]
        )
        == other
    )


def test_failed_load_leaves_previous_rows(wh: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    process_issue("sample", DAY, settings=wh)
    before = rows(wh.warehouse, "SELECT * FROM marts.articles ORDER BY article_id")
    for cls in (DuckDBWarehouse, PostgresWarehouse):
        real = cls.bulk_insert

        def crash_on_ads(self: Any, table: str, columns: Any, real: Any = real) -> None:
            if table == "core.ads":
                raise RuntimeError("simulated crash mid-load")
            real(self, table, columns)

        monkeypatch.setattr(cls, "bulk_insert", crash_on_ads)
    with pytest.raises(RuntimeError, match="simulated crash"):
        process_issue("sample", DAY, settings=wh)
    monkeypatch.undo()
    assert rows(wh.warehouse, "SELECT * FROM marts.articles ORDER BY article_id") == before
    assert rows(wh.warehouse, "SELECT count(*) FROM core.ads") == [(1,)]
    assert rows(wh.warehouse, "SELECT count(*) FROM core.load_runs") == [(1,)]


def test_band_keys_are_compacted_after_the_load_commits(
    crawled: Settings, tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dedup_store, "COMPACT_ROWS", 32)  # the first issue fills the tier
    wh = make_settings(crawled, tmp_path, pg_url)
    tiers = "SELECT (SELECT count(*) FROM core.dedup_band_keys), (SELECT count(*) FROM core.{})"
    process_issue("sample", DAY, settings=wh)
    ((main, recent),) = rows(pg_url, tiers.format(dedup_store.RECENT))
    assert main > 0 and recent == 0

    # A compaction that fails does so after the issue committed: nothing of it is lost.
    def broken(self: DedupStore, threshold: int | None = None) -> bool:
        raise RuntimeError("simulated compaction failure")

    monkeypatch.setattr(DedupStore, "compact", broken)
    with pytest.raises(WarehouseError, match=f"issue sample {DAY2} is loaded, but compacting"):
        process_issue("sample", DAY2, settings=wh)
    assert rows(pg_url, "SELECT count(*) FROM core.issues") == [(2,)]
    ((_, recent),) = rows(pg_url, tiers.format(dedup_store.RECENT))
    assert recent > 0


def test_reprint_is_one_cluster_with_the_first_appearance_canonical(wh: Settings) -> None:
    process_issue("sample", DAY, settings=wh)
    process_issue("sample", DAY2, settings=wh)
    found = rows(
        wh.warehouse,
        "SELECT CAST(issue_date AS VARCHAR), page_label, cluster_id, is_canonical "
        "FROM marts.articles WHERE title = ? ORDER BY issue_date",
        [REPRINT],
    )
    assert [(d, p, c) for d, p, _, c in found] == [(DAY, "A3", True), (DAY2, "A2", False)]
    assert found[0][2] == found[1][2]
    assert rows(
        wh.warehouse, "SELECT count(DISTINCT cluster_id), count(*) FROM marts.articles"
    ) == [(17, 18)]
    reprints = rows(
        wh.warehouse,
        "SELECT title, CAST(first_issue_date AS VARCHAR), first_page_label, appearances, issues "
        "FROM marts.reprints",
    )
    assert reprints == [(REPRINT, DAY, "A3", 2, 2)]
    ads = rows(wh.warehouse, "SELECT occurrences FROM marts.ads ORDER BY issue_date")
    assert len(ads) == 2 and all(n >= 1 for (n,) in ads)


def test_recurring_ad_is_one_cluster_when_the_earlier_issue_loads_last(wh: Settings) -> None:
    # The later issue first: its ad's cluster is merged into the earlier one's on the second load.
    process_issue("sample", DAY2, settings=wh)
    process_issue("sample", DAY, settings=wh)
    ads = rows(
        wh.warehouse,
        "SELECT cluster_id, occurrences, CAST(first_issue_date AS VARCHAR), "
        "CAST(last_issue_date AS VARCHAR) FROM marts.ads WHERE text LIKE '欢迎订阅%'",
    )
    assert len(ads) == 2 and len({a[0] for a in ads}) == 1
    assert {a[1:] for a in ads} == {(2, DAY, DAY2)}


def test_search_finds_chinese_substrings(wh: Settings) -> None:
    process_issue("sample", DAY, settings=wh)
    process_issue("sample", DAY2, settings=wh)
    with open_warehouse(wh.warehouse) as store:
        hits = store.search_articles("最后一公里")
        assert [(str(d), t) for _, _, d, _, t in hits] == [(DAY, REPRINT), (DAY2, REPRINT)]
        assert store.search_articles("100%_不存在的短语") == []
        body_only = store.search_articles("精准性培育")  # a phrase from a body, not a title
        assert len(body_only) == 1
        assert store.search_articles("精准性培育", titles_only=True) == []


def test_postgres_search_uses_the_trigram_index(
    crawled: Settings, tmp_path: Path, pg_url: str
) -> None:
    settings = make_settings(crawled, tmp_path, pg_url)
    process_issue("sample", DAY, settings=settings)
    with open_warehouse(pg_url) as store:
        store.execute("SET enable_seqscan = off")  # nine rows: the planner would rather scan
        plan = store.execute("EXPLAIN " + search_sql(titles_only=True), ["%最后一公里%", 50])
        assert len(store.search_articles("最后一公里", titles_only=True)) == 1
    assert "articles_title_trgm" in "\n".join(r[0] for r in plan)


def test_the_same_ingest_gives_identical_marts_on_both_backends(
    crawled: Settings, tmp_path: Path, pg_url: str
) -> None:
    duck = make_settings(crawled, tmp_path / "duck", f"duckdb:///{tmp_path / 'wh.duckdb'}")
    pg = make_settings(crawled, tmp_path / "pg", pg_url)
    for settings in (duck, pg):
        for day in (DAY, DAY2):
            process_issue("sample", day, settings=settings)
    for mart in MARTS:
        order = ", ".join(str(i + 1) for i in range(len(mart.columns)))
        sql = f"SELECT * FROM {mart.name} ORDER BY {order}"
        assert rows(duck.warehouse, sql) == rows(pg.warehouse, sql), mart.name
    assert len(rows(duck.warehouse, "SELECT * FROM marts.articles")) == 18


def test_tables_match_the_schema_definition(warehouse_url: str) -> None:
    with open_warehouse(warehouse_url) as store:
        for table, columns in TABLES.items():
            schema, name = table.split(".")
            found = store.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
                [schema, name],
            )
            assert [c for (c,) in found] == [c for c, _ in columns], table
        for mart in MARTS:
            schema, name = mart.name.split(".")
            found = store.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
                [schema, name],
            )
            assert [c for (c,) in found] == [c for c, _, _ in mart.columns], mart.name


def test_every_mart_column_has_a_comment(warehouse_url: str) -> None:
    sql = {
        "duckdb": "SELECT schema_name || '.' || table_name, column_name, comment "
        "FROM duckdb_columns() WHERE schema_name = 'marts'",
        "postgresql": "SELECT n.nspname || '.' || c.relname, a.attname, "
        "col_description(c.oid, a.attnum) FROM pg_attribute a "
        "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'marts' AND a.attnum > 0 AND NOT a.attisdropped",
    }
    with open_warehouse(warehouse_url) as store:
        found = {(t, c): comment for t, c, comment in store.execute(sql[store.dialect.name])}
    expected = {(m.name, c): comment for m in MARTS for c, _, comment in m.columns}
    assert found == expected


def test_migrations_apply_once(warehouse_url: str) -> None:
    with open_warehouse(warehouse_url) as store:
        applied = store.execute("SELECT migration FROM core.schema_migrations ORDER BY 1")
        assert [m for (m,) in applied] == [
            *(f"{m.version:04d} {m.name}" for m in MIGRATIONS),
            "marts",
        ]
        assert store.migrate() == []  # opening again applies nothing
    with open_warehouse(warehouse_url) as store:
        assert store.migrate() == []


def test_an_edited_migration_is_refused(warehouse_url: str) -> None:
    with open_warehouse(warehouse_url) as store:
        store.execute(
            "UPDATE core.schema_migrations SET checksum = 'x' WHERE migration LIKE '0002%'"
        )
    with pytest.raises(WarehouseError, match="differs from the one applied"):
        open_warehouse(warehouse_url)


def test_a_pre_migration_warehouse_is_adopted_and_keeps_its_rows(warehouse_url: str) -> None:
    """A warehouse made by the foundation loader (no migrations table) is migrated in place."""
    dialect = "duckdb" if warehouse_url.startswith("duckdb") else "postgresql"
    old = [
        *(f"CREATE SCHEMA IF NOT EXISTS {s}" for s in ("raw", "core", "marts")),
        *(MIGRATIONS[0].sql(_dialect(dialect))),
        "INSERT INTO core.publications VALUES ('old', '旧报', 'founder_new', 'http://old/')",
        "INSERT INTO core.problems VALUES ('old', DATE '2020-01-01', 'k', 'http://old/x', 'm', 'r1')",
    ]
    _raw_execute(warehouse_url, old)
    with open_warehouse(warehouse_url) as store:
        assert store.execute("SELECT site_id, publication, load_run FROM core.publications") == [
            ("old", "旧报", None)
        ]
        assert store.execute("SELECT source, parser_version FROM core.problems") == [
            ("http://old/x", None)
        ]
        assert (
            len(store.execute("SELECT migration FROM core.schema_migrations"))
            == len(MIGRATIONS) + 1
        )


def _dialect(name: str) -> Any:
    from warehouse.dialect import DUCKDB, POSTGRESQL

    return DUCKDB if name == "duckdb" else POSTGRESQL


def _raw_execute(url: str, statements: list[str]) -> None:
    """Run DDL/DML with the plain driver, bypassing the warehouse's migrations."""
    if url.startswith("duckdb:///"):
        import duckdb

        with duckdb.connect(url.removeprefix("duckdb:///")) as con:
            for s in statements:
                con.execute(s)
    else:
        import psycopg

        with psycopg.connect(url, autocommit=True) as con:
            for s in statements:
                con.execute(s)


def test_unsupported_warehouse_url_is_a_clear_error() -> None:
    with pytest.raises(WarehouseError, match="expected duckdb"):
        open_warehouse("sqlite:///x.db")


def test_unreachable_postgres_is_a_clear_error() -> None:
    with pytest.raises(WarehouseError, match="cannot connect to PostgreSQL"):
        open_warehouse("postgresql://127.0.0.1:1/nosuch?connect_timeout=2")


@pytest.mark.parametrize(
    "url",
    ["postgresql://bob:s3cret@127.0.0.1:1/nosuch?connect_timeout=2", "mysql://bob:s3cret@h/db"],
)
def test_warehouse_errors_never_show_the_password(url: str) -> None:
    from baokan.sql_shell import connect

    with pytest.raises(WarehouseError) as opened:
        open_warehouse(url)
    assert "s3cret" not in str(opened.value) and "bob:***@" in str(opened.value)
    if url.startswith("mysql"):  # `baokan sql` reads the URL with the same rule
        with pytest.raises(ValueError) as shell, connect(url):
            pass
        assert str(shell.value) == str(opened.value)


def test_a_renamed_publication_is_updated_by_the_next_load(wh: Settings) -> None:
    import dataclasses

    from baokan.fsutil import read_json
    from baokan.models import IssueRecord
    from baokan.sites import get_site

    process_issue("sample", DAY, settings=wh)
    issue = IssueRecord.from_dict(read_json(wh.staged_path("sample", DAY)))
    renamed = dataclasses.replace(get_site("sample", wh), publication="新名报")
    with open_warehouse(wh.warehouse) as store:
        run = store.load_issue(renamed, issue, [])["load_run"]
    assert rows(wh.warehouse, "SELECT DISTINCT publication FROM marts.articles") == [("新名报",)]
    assert rows(wh.warehouse, "SELECT load_run FROM core.publications") == [(run,)]


def test_page_coverage_and_unassigned_blocks_load_on_both_backends(wh: Settings) -> None:
    """Every page says how much of its text was placed; what was not is kept, with its box."""
    from baokan.fsutil import read_json
    from baokan.models import BlockRecord, IssueRecord
    from baokan.sites import get_site

    process_issue("sample", DAY, settings=wh)
    pages = rows(wh.warehouse, "SELECT chars, coverage FROM core.pages ORDER BY position")
    assert pages and all(chars > 500 and coverage == 1.0 for chars, coverage in pages), pages
    issue = IssueRecord.from_dict(read_json(wh.staged_path("sample", DAY)))
    page = issue.pages[0]
    page.coverage = 0.98
    text = "（资料图）“未归类”的,文字\t块"
    block = BlockRecord(
        "b1", "sample", DAY, page.label, 1, text, [1.5, 2.0, 30.0, 12.5], None, "no role"
    )
    issue.unassigned = [block]
    with open_warehouse(wh.warehouse) as store:
        store.load_issue(get_site("sample", wh), issue, [])
    stored = rows(wh.warehouse, "SELECT page_label, text, bbox, reason FROM core.unassigned_blocks")
    assert [(p, t, list(b), r) for p, t, b, r in stored] == [
        (page.label, text, [1.5, 2.0, 30.0, 12.5], "no role")
    ]
    ((blocks, coverage),) = rows(
        wh.warehouse, "SELECT unassigned_blocks, coverage FROM marts.issues"
    )
    assert blocks == 1 and 0.98 < coverage < 1.0
    process_issue("sample", DAY, settings=wh)  # a re-load replaces the issue's blocks too
    assert rows(wh.warehouse, "SELECT count(*) FROM core.unassigned_blocks") == [(0,)]
