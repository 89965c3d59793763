"""DuckDB warehouse: schema setup and one-transaction, replace-the-issue loads."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from baokan.models import IssueRecord
from baokan.rawzone import ManifestRow
from baokan.sites import SiteProfile
from warehouse.dedup_store import DedupStore, assign_issue
from warehouse.schema import ISSUE_TABLES, SCHEMAS, TABLES, VIEWS


class WarehouseError(RuntimeError):
    """The warehouse could not be opened or loaded; the message says which and why."""


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    cols = list(rows[0])
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"
    con.executemany(sql, [[row[c] for c in cols] for row in rows])


class DuckDBWarehouse:
    """A DuckDB file holding the raw, core and marts schemas."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(path))
        except duckdb.IOException as exc:
            raise WarehouseError(f"cannot open DuckDB warehouse {path}: {exc}") from exc
        self.ensure_schema()

    def ensure_schema(self) -> None:
        """Create schemas, tables and mart views if they are not there yet."""
        for schema in SCHEMAS:
            self.con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        for ddl in TABLES:
            self.con.execute(ddl)
        DedupStore(self.con, "duckdb").create_tables()
        for ddl in VIEWS:
            self.con.execute(ddl)

    def close(self) -> None:
        """Close the connection (DuckDB allows one writing process per file)."""
        self.con.close()

    def load_issue(
        self, profile: SiteProfile, issue: IssueRecord, manifest: list[ManifestRow]
    ) -> dict[str, Any]:
        """Replace this issue's rows in one transaction: all of them or, on error, none."""
        run = uuid.uuid4().hex
        key = {"site_id": issue.site_id, "issue_date": issue.issue_date}
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            # Clusters against all history, in the same transaction as the issue's rows.
            assign_issue(DedupStore(con, "duckdb"), issue)
            tables = _issue_rows(issue, manifest, run)
            con.execute(
                "INSERT OR REPLACE INTO core.publications VALUES (?, ?, ?, ?)",
                [profile.id, profile.publication, profile.family, profile.base_url],
            )
            for table in ISSUE_TABLES:
                con.execute(
                    f"DELETE FROM {table} WHERE site_id = ? AND issue_date = ?",
                    [key["site_id"], key["issue_date"]],
                )
                _insert(con, table, tables[table])
            _insert(
                con,
                "core.load_runs",
                [
                    {
                        **key,
                        "load_run": run,
                        "loaded_at": datetime.now(UTC),
                        "articles": len(issue.articles),
                        "parser_version": issue.parser_version,
                    }
                ],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return {"load_run": run, **{t: len(r) for t, r in tables.items()}}


def _issue_rows(
    issue: IssueRecord, manifest: list[ManifestRow], run: str
) -> dict[str, list[dict[str, Any]]]:
    """Rows for every per-issue table, as column → value dicts."""
    issue_row = {
        "site_id": issue.site_id,
        "issue_date": issue.issue_date,
        "status": issue.status,
        "pages_listed": issue.pages_listed,
        "pages_fetched": issue.pages_fetched,
        "pages_parsed": issue.pages_parsed,
        "articles": len(issue.articles),
        "ads": len(issue.ads),
        "problems": len(issue.problems),
        "parser_version": issue.parser_version,
        "load_run": run,
    }
    key = {"site_id": issue.site_id, "issue_date": issue.issue_date}
    pages = [
        {
            **key,
            "page_label": p.label,
            "page_name": p.name,
            "position": p.position,
            "url": p.url,
            "pdf_url": p.pdf_url,
            "pdf_sha256": p.pdf_sha256,
            "fetched": p.fetched,
            "parsed": p.parsed,
            "text_layer": p.text_layer,
            "load_run": run,
        }
        for p in issue.pages
    ]
    return {
        "raw.manifest": [asdict(r) for r in manifest],
        "core.issues": [issue_row],
        "core.pages": pages,
        "core.articles": [{**asdict(a), "load_run": run} for a in issue.articles],
        "core.ads": [{**asdict(a), "load_run": run} for a in issue.ads],
        "core.problems": [{**key, **asdict(p), "load_run": run} for p in issue.problems],
    }


def open_warehouse(url: str) -> DuckDBWarehouse:
    """Open the warehouse named by a BAOKAN_WAREHOUSE URL."""
    if url.startswith("duckdb:///"):
        return DuckDBWarehouse(Path(url.removeprefix("duckdb:///")))
    if url.startswith(("postgresql://", "postgres://")):
        raise WarehouseError(
            "PostgreSQL warehouses are not supported yet; use duckdb:///path.duckdb"
        )
    raise WarehouseError(f"BAOKAN_WAREHOUSE={url!r}: expected duckdb:///path.duckdb")
