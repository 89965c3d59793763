"""Warehouse-wide steps after issue loads: refresh and validate the marts; cross-paper clusters."""

from __future__ import annotations

from typing import Any

from warehouse.duckdb_store import open_warehouse

# Each query must return 0 on a healthy warehouse; the message says what a non-zero count means.
INVARIANTS = {
    "marts.articles rows missing from core.articles": (
        "SELECT (SELECT count(*) FROM core.articles) - (SELECT count(*) FROM marts.articles)"
    ),
    "clusters without exactly one canonical article": (
        "SELECT count(*) FROM (SELECT cluster_id FROM marts.articles GROUP BY cluster_id"
        " HAVING sum(CASE WHEN is_canonical THEN 1 ELSE 0 END) <> 1)"
    ),
    "issues in core.issues missing from marts.issues": (
        "SELECT (SELECT count(*) FROM core.issues) - (SELECT count(*) FROM marts.issues)"
    ),
}


class MartsError(RuntimeError):
    """A mart invariant does not hold; the message names it and the count."""


def refresh(url: str) -> dict[str, Any]:
    """Re-create the mart views, check their invariants and return row counts per mart."""
    store = open_warehouse(url)  # opening re-creates the views from warehouse/schema.py
    try:
        con = store.con
        broken = {}
        for name, sql in INVARIANTS.items():
            n = con.execute(sql).fetchone()[0]  # type: ignore[index]
            if n:
                broken[name] = n
        if broken:
            raise MartsError(
                "marts invalid: " + "; ".join(f"{n} {name}" for name, n in broken.items())
            )
        counts = {
            mart: con.execute(f"SELECT count(*) FROM marts.{mart}").fetchone()[0]  # type: ignore[index]
            for mart in ("articles", "issues")
        }
        sites = con.execute("SELECT count(DISTINCT site_id) FROM core.issues").fetchone()[0]  # type: ignore[index]
    finally:
        store.close()
    return {"marts": counts, "sites": sites}


def cross_paper_clusters(url: str) -> dict[str, Any]:
    """Clusters whose members appear in more than one paper (wire reprints across papers)."""
    store = open_warehouse(url)
    try:
        row = store.con.execute(
            "SELECT count(*), coalesce(sum(n), 0) FROM (SELECT cluster_id, count(*) AS n"
            " FROM marts.articles GROUP BY cluster_id HAVING count(DISTINCT site_id) > 1)"
        ).fetchone()
    finally:
        store.close()
    assert row is not None
    return {"cross_paper_clusters": row[0], "articles_in_them": row[1]}
