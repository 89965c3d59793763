"""Warehouse-wide steps after issue loads: refresh and validate the marts; cross-paper clusters."""

from __future__ import annotations

from typing import Any

from warehouse import open_warehouse

# Each query must return 0 on a healthy warehouse; the message says what a non-zero count means.
INVARIANTS = {
    "marts.articles rows missing from core.articles": (
        "SELECT (SELECT count(*) FROM core.articles) - (SELECT count(*) FROM marts.articles)"
    ),
    "clusters without exactly one canonical article": (
        "SELECT count(*) FROM (SELECT cluster_id FROM marts.articles GROUP BY cluster_id"
        " HAVING sum(CASE WHEN is_canonical THEN 1 ELSE 0 END) <> 1) AS c"
    ),
    "issues in core.issues missing from marts.issues": (
        "SELECT (SELECT count(*) FROM core.issues) - (SELECT count(*) FROM marts.issues)"
    ),
}


class MartsError(RuntimeError):
    """A mart invariant does not hold; the message names it and the count."""


def refresh(url: str) -> dict[str, Any]:
    """Re-create the mart views, check their invariants and return row counts per mart."""
    # Opening a warehouse applies pending migrations and re-creates changed mart views.
    with open_warehouse(url) as store:
        broken = {name: n for name, sql in INVARIANTS.items() if (n := store.execute(sql)[0][0])}
        if broken:
            raise MartsError(
                "marts invalid: " + "; ".join(f"{n} {name}" for name, n in broken.items())
            )
        counts = {
            mart: store.execute(f"SELECT count(*) FROM marts.{mart}")[0][0]
            for mart in ("articles", "issues")
        }
        sites = store.execute("SELECT count(DISTINCT site_id) FROM core.issues")[0][0]
    return {"marts": counts, "sites": sites}


def cross_paper_clusters(url: str) -> dict[str, Any]:
    """Clusters whose members appear in more than one paper (wire reprints across papers)."""
    with open_warehouse(url) as store:
        ((clusters, articles),) = store.execute(
            "SELECT count(*), coalesce(sum(n), 0) FROM (SELECT cluster_id, count(*) AS n"
            " FROM marts.articles GROUP BY cluster_id HAVING count(DISTINCT site_id) > 1) AS c"
        )
    return {"cross_paper_clusters": clusters, "articles_in_them": articles}
