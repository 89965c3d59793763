"""Warehouse: raw → core → marts schemas, loaded idempotently one issue at a time."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from warehouse.store import Warehouse


def open_warehouse(url: str) -> Warehouse:
    """Open (and migrate) the warehouse named by a BAOKAN_WAREHOUSE URL.

    ``duckdb:///path.duckdb[?lock_timeout=SECONDS]`` or ``postgresql://user@host:port/db``.
    """
    from warehouse.store import WarehouseError

    if url.startswith("duckdb:///"):
        from warehouse.duckdb_store import DEFAULT_LOCK_TIMEOUT, DuckDBWarehouse

        parts = urlsplit(url)
        query = parse_qs(parts.query)
        timeout = float(query.get("lock_timeout", [DEFAULT_LOCK_TIMEOUT])[0])
        return DuckDBWarehouse(Path(url.removeprefix("duckdb:///").split("?")[0]), timeout)
    if url.startswith(("postgresql://", "postgres://")):
        from warehouse.postgres_store import PostgresWarehouse

        return PostgresWarehouse(url)
    from baokan.config import redact_url

    raise WarehouseError(
        f"BAOKAN_WAREHOUSE={redact_url(url)!r}: expected duckdb:///path.duckdb or postgresql://user@host/db"
    )
