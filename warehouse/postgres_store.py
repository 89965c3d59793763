"""PostgreSQL warehouse: COPY for bulk loads, advisory locks so loads of one issue serialize."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
import pyarrow as pa

from baokan.config import redact_url
from warehouse.dialect import POSTGRESQL
from warehouse.rows import Columns
from warehouse.store import Warehouse, WarehouseError


class PostgresWarehouse(Warehouse):
    """A PostgreSQL database holding the raw, core and marts schemas."""

    dialect = POSTGRESQL

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.con = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            raise WarehouseError(
                f"cannot connect to PostgreSQL warehouse {redact_url(url)}: {exc}"
            ) from exc
        try:
            self.migrate()
        except BaseException:
            self.con.close()
            raise

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement; ``?`` placeholders become server-side parameters."""
        with self.con.cursor() as cur:
            cur.execute(self.dialect.params(sql) if params else sql, list(params) or None)
            return cur.fetchall() if cur.description else []

    def bulk_insert(self, table: str, columns: Columns) -> None:
        """COPY … FROM STDIN: the rows stream to the server in one command."""
        names = list(columns)
        with (
            self.con.cursor() as cur,
            cur.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy,
        ):
            for row in zip(*columns.values(), strict=True):
                copy.write_row(row)

    @contextmanager
    def transaction(self, lock_key: str) -> Iterator[None]:
        """A transaction holding an advisory lock on `lock_key` until it ends."""
        with self.con.transaction():
            self.lock(lock_key)
            yield

    def lock(self, lock_key: str) -> None:
        """Take the advisory lock on `lock_key` until the current transaction ends."""
        self.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", [lock_key])

    def fetch_arrow(self, sql: str, params: Sequence[Any] = ()) -> pa.Table:
        """A query's result as Arrow (through Python rows; marts are small next to core)."""
        with self.con.cursor() as cur:
            cur.execute(self.dialect.params(sql) if params else sql, list(params) or None)
            names = [d.name for d in cur.description or ()]
            rows = cur.fetchall()
        return pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)})

    def close(self) -> None:
        """Close the connection."""
        self.con.close()
