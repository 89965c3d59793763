"""DuckDB warehouse: one file, one writing process; bulk loads go through Arrow."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from warehouse.dialect import DUCKDB
from warehouse.rows import Columns
from warehouse.store import Warehouse, WarehouseError, arrow_table

DEFAULT_LOCK_TIMEOUT = 30.0  # seconds to wait for another process to release the file

# DuckDB shares one database per file within a process: serialize this process's writers so
# two threads never race on the same rows (other processes are kept out by the file lock).
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _process_lock(path: Path) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(str(path.resolve()), threading.Lock())


def connect_waiting(path: Path, timeout: float) -> duckdb.DuckDBPyConnection:
    """Open the file for writing, waiting up to `timeout` s while another process holds it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise WarehouseError(f"cannot open DuckDB warehouse {path}: {exc}") from exc
            if time.monotonic() >= deadline:
                raise WarehouseError(
                    f"DuckDB warehouse {path} is in use by another process and stayed locked "
                    f"for {timeout:g} s (DuckDB allows one writer at a time; retry later, raise "
                    f"?lock_timeout= in BAOKAN_WAREHOUSE, or use PostgreSQL for concurrent "
                    f"loads). DuckDB said: {exc}"
                ) from exc
            time.sleep(0.2)


class DuckDBWarehouse(Warehouse):
    """A DuckDB file holding the raw, core and marts schemas."""

    dialect = DUCKDB

    def __init__(self, path: Path, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> None:
        self.path = path
        self.url = f"duckdb:///{path}"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.con = connect_waiting(path, lock_timeout)
        # DICT_FSST made checkpoints of long Chinese bodies ~7× slower for ~4% smaller files
        # (measured with scripts/bench_load.py); the other string codecs stay on.
        self.con.execute("SET disabled_compression_methods = 'dict_fsst'")
        # Checkpoint after 256 MB of WAL instead of 16 MB: fewer, larger checkpoints loaded
        # ~50% faster and compressed better (bench_load.py); closing still checkpoints.
        self.con.execute("SET checkpoint_threshold = '256MB'")
        self._lock = _process_lock(path)
        try:
            self.migrate()
        except BaseException:
            self.con.close()
            raise

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement with ``?`` parameters."""
        cur = self.con.execute(sql, list(params))
        return cur.fetchall() if cur.description else []

    def bulk_insert(self, table: str, columns: Columns) -> None:
        """Insert from an Arrow table in one vectorized statement."""
        _baokan_stage = arrow_table(table, columns)
        cols = ", ".join(_baokan_stage.column_names)
        # DuckDB finds the local Arrow table by name (a replacement scan): half the cost of
        # register/unregister, which matters for the one-row tables every load writes.
        self.con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _baokan_stage")

    @contextmanager
    def transaction(self, lock_key: str) -> Iterator[None]:
        """BEGIN … COMMIT, or ROLLBACK on any error; one writer per process at a time."""
        with self._lock:
            self.con.execute("BEGIN TRANSACTION")
            try:
                yield
            except BaseException:
                self.con.execute("ROLLBACK")
                raise
            self.con.execute("COMMIT")

    def lock(self, lock_key: str) -> None:
        """Nothing more to take: a transaction here already excludes every other writer."""

    def fetch_arrow(self, sql: str, params: Sequence[Any] = ()) -> pa.Table:
        """A query's result as Arrow, straight from DuckDB."""
        # A relation, not a DB-API cursor: DuckDB warns that the cursor path copies the rows.
        return self.con.sql(sql, params=list(params) or None).to_arrow_table()

    def close(self) -> None:
        """Close the connection, releasing the file for other processes."""
        self.con.close()
