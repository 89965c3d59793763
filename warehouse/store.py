"""The warehouse API both backends share: migrations on open, per-issue loads, queries, search."""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from baokan.dedup import issue_items
from baokan.models import IssueRecord
from baokan.rawzone import ManifestRow
from baokan.sites import SiteProfile
from warehouse.dedup_store import DedupStore, assign_issue
from warehouse.dialect import ARROW_TYPES, Dialect
from warehouse.migrations import (
    BOOTSTRAP,
    MARTS_KEY,
    MIGRATIONS,
    checksum,
    marts_sql,
    migration_key,
)
from warehouse.rows import Columns, issue_columns, load_run_columns
from warehouse.schema import ISSUE_TABLES, MARTS, TABLES


class WarehouseError(RuntimeError):
    """The warehouse could not be opened or loaded; the message says which and why."""


class CompactionError(WarehouseError):
    """The issues are loaded and committed; the dedup maintenance after them failed."""


# One issue to load: its site, its staged record and its raw-zone manifest rows.
IssueLoad = tuple[SiteProfile, IssueRecord, list[ManifestRow]]


def arrow_table(table: str, columns: Columns) -> pa.Table:
    """An Arrow table with the warehouse's column types for `table`."""
    schema = pa.schema([(name, ARROW_TYPES[kind]) for name, kind in TABLES[table]])
    return pa.Table.from_pydict(columns, schema=schema)


# Insert the publication once, update it only when it changed: an unconditional upsert would
# lock its row and make loads of the site wait for each other (PostgreSQL).
INSERT_PUBLICATION = """INSERT INTO core.publications (site_id, publication, family, base_url, load_run)
VALUES (?, ?, ?, ?, ?) ON CONFLICT (site_id) DO NOTHING"""
UPDATE_PUBLICATION = """UPDATE core.publications SET publication = ?, family = ?, base_url = ?,
load_run = ? WHERE site_id = ? AND (publication IS DISTINCT FROM ? OR family IS DISTINCT FROM ?
OR base_url IS DISTINCT FROM ?)"""


# Issue tables whose rows carry the cluster ids deduplication assigns.
CLUSTERED = ("core.articles", "core.ads")


def search_sql(titles_only: bool) -> str:
    """The substring search query (``?``: pattern(s), then the limit)."""
    where = "a.title LIKE ? ESCAPE '\\'"
    if not titles_only:
        where += " OR a.body LIKE ? ESCAPE '\\'"
    return (
        "SELECT a.article_id, a.site_id, a.issue_date, a.page_label, a.title "
        f"FROM core.articles a WHERE {where} "
        "ORDER BY a.issue_date, a.site_id, a.page_label, a.position LIMIT ?"
    )


class Warehouse(ABC):
    """A warehouse on one backend; subclasses supply connections and the bulk insert path."""

    dialect: Dialect
    url: str
    con: Any  # the backend's own connection (duckdb or psycopg), for the dedup store

    # -- what a backend provides -------------------------------------------------------
    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one parameterized statement (``?`` placeholders); rows if it returns any."""

    @abstractmethod
    def bulk_insert(self, table: str, columns: Columns) -> None:
        """Insert many rows at once inside the current transaction (never row by row)."""

    @abstractmethod
    @contextmanager
    def transaction(self, lock_key: str) -> Iterator[None]:
        """One transaction, serialized with others holding the same lock key."""

    @abstractmethod
    def lock(self, lock_key: str) -> None:
        """Also hold `lock_key` until the current transaction ends."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    @abstractmethod
    def fetch_arrow(self, sql: str, params: Sequence[Any] = ()) -> pa.Table:
        """A query's result as an Arrow table."""

    # -- shared behaviour --------------------------------------------------------------
    def migrate(self) -> list[str]:
        """Apply the migrations this warehouse has not seen, then refresh changed marts."""
        applied: list[str] = []
        with self.transaction("schema"):
            for statement in BOOTSTRAP:
                self.execute(self.dialect.render(statement))
            done = dict(self.execute("SELECT migration, checksum FROM core.schema_migrations"))
        for migration in MIGRATIONS:
            key, sql = migration_key(migration), migration.sql(self.dialect)
            if key in done:
                if done[key] != checksum(sql):
                    raise WarehouseError(
                        f"{self.url}: migration {key!r} differs from the one applied to this "
                        "warehouse; add a new migration instead of editing an applied one"
                    )
                continue
            if self._apply(key, sql):
                applied.append(key)
        sql = marts_sql()
        if done.get(MARTS_KEY) != checksum(sql) and self._apply(MARTS_KEY, sql, replace=True):
            applied.append(MARTS_KEY)
        return applied

    def _apply(self, key: str, sql: list[str], *, replace: bool = False) -> bool:
        """Run one migration with its record in one transaction, unless another did first."""
        digest = checksum(sql)
        with self.transaction("schema"):
            rows = self.execute(
                "SELECT checksum FROM core.schema_migrations WHERE migration = ?", [key]
            )
            if rows and (not replace or rows[0][0] == digest):
                return False  # a concurrent opener applied it while we waited for the lock
            for statement in sql:
                self.execute(statement)
            self.execute("DELETE FROM core.schema_migrations WHERE migration = ?", [key])
            self.execute(
                "INSERT INTO core.schema_migrations VALUES (?, ?, ?)",
                [key, digest, datetime.now(UTC)],
            )
        return True

    def load_issue(
        self,
        profile: SiteProfile,
        issue: IssueRecord,
        manifest: list[ManifestRow],
        *,
        assign_clusters: bool = True,
    ) -> dict[str, Any]:
        """Replace this issue's rows in one transaction: all of them or, on error, none.

        ``assign_clusters=False`` skips deduplication against history (rows load without
        cluster membership); it exists so benchmarks can time the bulk path on its own.
        """
        return self.load_batch([(profile, issue, manifest)], assign_clusters=assign_clusters)[0]

    def load_batch(
        self, loads: Sequence[IssueLoad], *, assign_clusters: bool = True
    ) -> list[dict[str, Any]]:
        """Replace the rows of several issues in ONE transaction: all of them or none.

        Each issue is loaded as ``load_issue`` loads it, in the order given (give them in date
        order), so later issues deduplicate against the earlier ones of the batch and the
        clusters are those of loading them one by one. Raises on the first error, with every
        issue of the batch rolled back; the caller may then load them one at a time.
        """
        if not loads:
            return []
        if len({(i.site_id, i.issue_date) for _, i, _ in loads}) < len(loads):
            raise ValueError("load_batch: an issue appears twice in one batch")
        runs = [uuid.uuid4().hex for _ in loads]
        # A changed publication row records the run of its site's first issue in the batch.
        first: dict[str, tuple[SiteProfile, str]] = {}
        for (profile, _, _), run in zip(loads, runs, strict=True):
            first.setdefault(profile.id, (profile, run))
        for profile, run in first.values():
            self._ensure_publication(profile, run)
        keys = sorted(f"issue:{i.site_id}:{i.issue_date}" for _, i, _ in loads)
        results = []
        # Issue locks first, in name order, then the history locks of every issue at once:
        # the order single loads take theirs in, so a batch and a load never deadlock.
        with self.transaction(keys[0]):
            for key in keys[1:]:
                self.lock(key)
            if assign_clusters and len(loads) > 1:  # a single load's own assign takes them
                self._lock_batch_history([i for _, i, _ in loads])
            for (profile, issue, manifest), run in zip(loads, runs, strict=True):
                results.append(self._replace_issue(profile, issue, manifest, run, assign_clusters))
        if assign_clusters:  # after the commit: the issues' rows never wait on a compaction
            try:
                DedupStore(self.con, self.dialect.name).maintain()
            except Exception as exc:
                names = ", ".join(f"{i.site_id} {i.issue_date}" for _, i, _ in loads)
                what = f"issue {names} is" if len(loads) == 1 else f"issues {names} are"
                raise CompactionError(
                    f"{self.url}: {what} loaded, but compacting the dedup band keys after "
                    f"{'it' if len(loads) == 1 else 'them'} failed: {exc}"
                ) from exc
        return results

    def _lock_batch_history(self, issues: Sequence[IssueRecord]) -> None:
        """Every history lock the batch's issues will take, at once and in name order."""
        store = DedupStore(self.con, self.dialect.name)
        types: set[str] = set()
        for issue in issues:
            types |= store.stored_types(issue.site_id, issue.issue_date)
            types |= {it.item_type for it in issue_items(issue)[0]}
        store.lock_history(types)

    def _ensure_publication(self, profile: SiteProfile, run: str) -> None:
        """Insert or update the site's publication row, committed on its own.

        The publication is a dimension, not issue data: committed on its own so that a
        site's first loads do not wait on each other's uncommitted insert of it, and only
        when it is new or changed (most loads skip that commit).
        """
        row = (profile.id, profile.publication, profile.family, profile.base_url)
        current = self.execute(
            "SELECT publication, family, base_url FROM core.publications WHERE site_id = ?",
            [profile.id],
        )
        if current != [row[1:]]:
            with self.transaction(f"publication:{profile.id}"):
                self.execute(INSERT_PUBLICATION, [*row, run])
                self.execute(UPDATE_PUBLICATION, [*row[1:], run, *row])

    def _replace_issue(
        self,
        profile: SiteProfile,
        issue: IssueRecord,
        manifest: list[ManifestRow],
        run: str,
        assign_clusters: bool,
    ) -> dict[str, Any]:
        """Delete and insert one issue's rows inside the caller's transaction (which holds
        the issue's lock)."""
        tables = issue_columns(profile, issue, manifest, run)
        key = [issue.site_id, tables["core.issues"]["issue_date"][0]]
        # Every load writes core.issues with the rest, so an issue without that row has no
        # rows anywhere: its first load skips six DELETE scans.
        loaded = self.execute("SELECT 1 FROM core.issues WHERE site_id = ? AND issue_date = ?", key)
        if loaded:
            for table in ISSUE_TABLES:
                self.execute(f"DELETE FROM {table} WHERE site_id = ? AND issue_date = ?", key)
        # The rows that carry no cluster first: they need no lock beyond the issue's.
        for table in ISSUE_TABLES:
            if table not in CLUSTERED and tables[table]["site_id"]:
                self.bulk_insert(table, tables[table])
        if assign_clusters:
            # Clusters against all history, in the same transaction as the issue's rows.
            # This takes the history locks (per item type, held until the commit), so
            # from here on concurrent loads take turns: kept to the clustered rows.
            assign_issue(DedupStore(self.con, self.dialect.name), issue)
            tables = issue_columns(profile, issue, manifest, run)
        for table in CLUSTERED:
            if tables[table]["site_id"]:
                self.bulk_insert(table, tables[table])
        self.bulk_insert("core.load_runs", load_run_columns(issue, run))
        return {"load_run": run, **{t: len(c["site_id"]) for t, c in tables.items()}}

    def search_articles(
        self, phrase: str, *, titles_only: bool = False, limit: int = 50
    ) -> list[tuple[Any, ...]]:
        """Articles whose title (or body) contains `phrase`: a plain substring, not a pattern.

        On PostgreSQL a title search uses the trigram index (phrases of 3+ characters).
        """
        if not phrase:
            raise ValueError("search phrase is empty")
        pattern = "%" + phrase.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params: list[Any] = [pattern] if titles_only else [pattern, pattern]
        return self.execute(search_sql(titles_only), [*params, limit])

    def mart_table(self, name: str) -> pa.Table:
        """One mart as an Arrow table with its documented column types."""
        mart = next(m for m in MARTS if m.name == name)
        schema = pa.schema([(col, ARROW_TYPES[kind]) for col, kind, _ in mart.columns])
        cols = ", ".join(col for col, _, _ in mart.columns)
        return self.fetch_arrow(f"SELECT {cols} FROM {name}").cast(schema)

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
