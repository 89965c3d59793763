"""Warehouse: raw → core → marts schemas, loaded idempotently one issue at a time."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from warehouse.store import Warehouse


def duckdb_path(url: str) -> Path | None:
    """The file a ``duckdb:///`` URL names (relative to the cwd; ``duckdb:////`` is absolute)."""
    if not url.startswith("duckdb:///"):
        return None
    return Path(url.removeprefix("duckdb:///").split("?")[0])


def unsupported(url: str) -> str:
    """The error for a warehouse URL of no known scheme, its password redacted."""
    from baokan.config import redact_url

    return (
        f"BAOKAN_WAREHOUSE={redact_url(url)!r}: "
        "expected duckdb:///path.duckdb or postgresql://user@host/db"
    )


def open_warehouse(url: str) -> Warehouse:
    """Open (and migrate) the warehouse named by a BAOKAN_WAREHOUSE URL.

    ``duckdb:///path.duckdb[?lock_timeout=SECONDS]`` or ``postgresql://user@host:port/db``.
    """
    from warehouse.store import WarehouseError

    path = duckdb_path(url)
    if path is not None:
        from warehouse.duckdb_store import DEFAULT_LOCK_TIMEOUT, DuckDBWarehouse

        query = parse_qs(urlsplit(url).query)
        timeout = float(query.get("lock_timeout", [DEFAULT_LOCK_TIMEOUT])[0])
        return DuckDBWarehouse(path, timeout)
    if url.startswith(("postgresql://", "postgres://")):
        from warehouse.postgres_store import PostgresWarehouse

        return PostgresWarehouse(url)
    raise WarehouseError(unsupported(url))
