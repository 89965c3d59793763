"""Dedup state in the warehouse (DuckDB or PostgreSQL): signatures, band keys, cluster members.

A new batch is deduplicated against all history with two joins — its band keys against
the stored band keys, its text hashes against the stored hashes — and then reads only the
candidates and the clusters they belong to. Memory depends on the batch and the clusters it
touches, never on the size of history. Everything runs inside the caller's transaction.
Pairs whose estimated similarity is near a threshold are decided on their texts: a stored
item's is read (in one query for all such items) from the articles and ads tables of the
same schema, where the warehouse keeps every loaded item.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import psycopg
import pyarrow as pa

from baokan import minhash
from baokan.dedup import (
    Item,
    Member,
    Texts,
    UnionFind,
    batch_candidates,
    canonical_order,
    components,
    exact_pairs,
    issue_items,
    link,
    match_hash,
    memberships,
    near_threshold,
    representatives,
    single,
)
from baokan.models import IssueRecord
from parsers.text import fold_for_match

_ITEM_COLS = (
    "item_id",
    "kind",
    "item_type",
    "site_id",
    "issue_date",
    "text_source",
    "raw_sha256",
    "exact_hash",
    "char_count",
    "page_label",
    "position",
)

# PostgreSQL keeps band keys in tiers. A 10,000-item batch's 320,000 keys land at random
# leaves of the band-key index; in a 32M-row index that is nearly every leaf, each read into
# shared buffers, dirtied, evicted and logged as a full-page image after every checkpoint
# (~550 MB of WAL per batch, scripts/bench_dedup.py). So new keys go into a small recent tier,
# and `compact` moves it into the main one in one sorted pass once it holds COMPACT_ROWS keys
# (~62,500 items): the main index is rewritten once per compaction instead of once per batch.
# The recent tier has two tables, by batch size. A batch of an issue or a few writes one
# indexed row per key (RECENT): a few thousand index inserts, probed by index. A large batch
# writes one unindexed row per item with its keys in an array (RECENT_ITEMS): 10,000 rows
# instead of 320,000 rows and index entries (~0.55 s less per 10,000 items), probed by a hash
# join that reads the table whole, which only pays while large batches have filled it.
# Compaction runs after the load that fills the tier has committed (`maintain`), never in it.
RECENT = "dedup_band_keys_recent"
RECENT_ITEMS = "dedup_recent_items"
ITEM_ROWS_FROM = 2_000  # items per batch from which band keys are written as item rows
COMPACT_ROWS = 2_000_000  # keys: ~62,500 items; the recent index is then ~45 MB
_SAMPLE_ROWS = 4_096
_COMPACT_LOCK = 50_602  # advisory lock class of band-key compaction (with the schema's hash)
# Advisory lock class of deduplication against history, one lock per schema and item type
# (with the hash of "schema:type"). Two loads that read history before either has committed
# would each miss the other's items, and reprints they share would stay apart; so a load
# holds the locks of its item types from its first read of history until it commits. News
# and ads merge across sites and issues, so their locks are global. A templated item merges
# only within its own site and day, i.e. its own issue, which the issue's lock already
# serializes: it needs none.
_HISTORY_LOCK = 50_603
ISSUE_SCOPED_TYPES = frozenset({"templated"})
PROBE = "dedup_probe_keys"
# A batch probes the band-key indexes once per key (320,000 probes for 10,000 items): with
# these settings PostgreSQL splits the probes over parallel workers (enough keys to pay for
# starting them), and always probes by index instead of hashing all of history.
# One worker beside the leader: on a 2-core server two processes probe in 0.68 s where
# three take 0.76-0.85 s and one 1.1 s (320,000 keys against 1M items).
_PARALLEL_KEYS = 32_000
_PARALLEL_PROBE = (
    ("max_parallel_workers_per_gather", "1"),
    ("parallel_setup_cost", "0"),
    ("parallel_tuple_cost", "0"),
    ("min_parallel_table_scan_size", "0"),
)
_INDEX_PROBE = (("enable_hashjoin", "off"), ("enable_mergejoin", "off"))
# RECENT_ITEMS has no index: its keys (taken from each row's array: a nested loop) and the
# batch's are joined by a parallel hash join, whose hash fits in memory (~20 MB for a
# 10,000-item batch; a full tier's would take ~110 MB, and spilled in 4 MB batches the join is
# 10-30% slower).
_HASH_PROBE = (
    ("enable_hashjoin", "on"),
    ("enable_nestloop", "on"),
    ("enable_mergejoin", "off"),
    ("work_mem", "64MB"),
)
_PROBE_TABLE_MAX_BYTES = 64 << 20  # ~4 batches of 10,000 items, or ~1,000 daily issues


def ddl(dialect: str, schema: str = "core") -> list[str]:
    """CREATE statements for the dedup tables as of the last migration (and PG indexes)."""
    if dialect != "postgresql":
        return ddl_v5(dialect, schema)
    return [
        *ddl_v5(dialect, schema),
        *tier_ddl(schema),
        *probe_ddl(schema),
        *items_ddl(schema),
    ]


def probe_ddl(schema: str = "core") -> list[str]:
    """The table a batch's band keys are probed from (PostgreSQL only; migration 7)."""
    # Parallel workers cannot read a temporary table, so the keys go into this one, inside a
    # savepoint that is always rolled back: it never holds a committed row, and unlogged
    # rows cost no WAL.
    return [
        f"""CREATE UNLOGGED TABLE IF NOT EXISTS {schema}.{PROBE} (
            band_key BIGINT NOT NULL, pos INTEGER NOT NULL)"""
    ]


def tier_ddl(schema: str = "core") -> list[str]:
    """The recent band-key tier (PostgreSQL only; migration 6)."""
    return [
        f"""CREATE TABLE IF NOT EXISTS {schema}.{RECENT} (
            band_key BIGINT NOT NULL, item_id VARCHAR NOT NULL)""",
        f"CREATE INDEX IF NOT EXISTS dedup_recent_band_key_idx ON {schema}.{RECENT} (band_key)",
    ]


def items_ddl(schema: str = "core") -> list[str]:
    """The recent tier's table for large batches: one row per item, its band keys in an array
    (PostgreSQL only; migration 8)."""
    return [
        f"""CREATE TABLE IF NOT EXISTS {schema}.{RECENT_ITEMS} (
            item_id VARCHAR NOT NULL, band_keys BIGINT[] NOT NULL)"""
    ]


def ddl_v5(dialect: str, schema: str = "core") -> list[str]:
    """The dedup tables as migration 5 created them (its checksum: never edit)."""
    blob, double = ("BYTEA", "DOUBLE PRECISION") if dialect == "postgresql" else ("BLOB", "DOUBLE")
    stmts = [
        f"""CREATE TABLE IF NOT EXISTS {schema}.dedup_signatures (
            item_id VARCHAR NOT NULL, kind VARCHAR NOT NULL, item_type VARCHAR NOT NULL,
            site_id VARCHAR NOT NULL, issue_date DATE NOT NULL, text_source VARCHAR NOT NULL,
            raw_sha256 VARCHAR, exact_hash VARCHAR NOT NULL, char_count INTEGER NOT NULL,
            page_label VARCHAR NOT NULL, position INTEGER NOT NULL, shingle_k SMALLINT NOT NULL,
            shingles INTEGER NOT NULL, signature {blob} NOT NULL)""",
        f"""CREATE TABLE IF NOT EXISTS {schema}.dedup_band_keys (
            band_key BIGINT NOT NULL, item_id VARCHAR NOT NULL)""",
        f"""CREATE TABLE IF NOT EXISTS {schema}.cluster_members (
            item_id VARCHAR NOT NULL, cluster_id VARCHAR NOT NULL, is_canonical BOOLEAN NOT NULL,
            relation VARCHAR NOT NULL, similarity {double} NOT NULL, method VARCHAR NOT NULL,
            rule_version VARCHAR NOT NULL, kind VARCHAR NOT NULL, site_id VARCHAR NOT NULL,
            issue_date DATE NOT NULL)""",
    ]
    if dialect == "postgresql":  # DuckDB hash-joins without them; PostgreSQL needs them
        stmts += [
            f"CREATE INDEX IF NOT EXISTS dedup_band_key_idx ON {schema}.dedup_band_keys (band_key)",
            f"CREATE UNIQUE INDEX IF NOT EXISTS dedup_sig_item_idx ON {schema}.dedup_signatures (item_id)",
            f"CREATE INDEX IF NOT EXISTS dedup_sig_hash_idx ON {schema}.dedup_signatures (exact_hash)",
            f"CREATE INDEX IF NOT EXISTS dedup_sig_issue_idx ON {schema}.dedup_signatures (site_id, issue_date)",
            f"CREATE UNIQUE INDEX IF NOT EXISTS cluster_member_item_idx ON {schema}.cluster_members (item_id)",
            f"CREATE INDEX IF NOT EXISTS cluster_member_cluster_idx ON {schema}.cluster_members (cluster_id)",
        ]
    return stmts


class DedupStore:
    """The dedup tables of one warehouse schema, on an open DuckDB or psycopg connection."""

    def __init__(
        self, con: Any, dialect: str, schema: str = "core", compact_rows: int | None = None
    ) -> None:
        if dialect not in ("duckdb", "postgresql"):
            raise ValueError(f"dedup store: unknown dialect {dialect!r}")
        self.con, self.dialect, self.schema = con, dialect, schema
        # Recent-tier rows at which maintain() compacts.
        self.compact_rows = COMPACT_ROWS if compact_rows is None else compact_rows
        self.timings: dict[str, float] = {}  # seconds per phase of the last assign()
        self._text_tables: set[str] | None = None  # which of articles, ads exist (read once)

    def create_tables(self) -> None:
        """Create the dedup tables if they are missing."""
        for stmt in ddl(self.dialect, self.schema):
            self._run(stmt)

    # -- SQL helpers: one spelling for both engines ------------------------------------------

    def _run(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self.dialect == "postgresql":
            with self.con.cursor() as cur:
                cur.execute(sql.replace("?", "%s"), params)
                return list(cur.fetchall()) if cur.description else []
        res = self.con.execute(sql, list(params))
        return list(res.fetchall()) if res.description else []

    def _insert(self, table: str, data: dict[str, Any]) -> None:
        """Bulk insert column arrays: Arrow scan on DuckDB, COPY on PostgreSQL."""
        n = len(next(iter(data.values())))
        if n == 0:
            return
        cols = ", ".join(data)
        if self.dialect == "postgresql":
            text = "\n".join(map("\t".join, zip(*map(_copy_column, data.values()), strict=True)))
            with self.con.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                copy.write(text + "\n")
            return
        view = f"_dedup_insert_{table.replace('.', '_')}"
        self.con.register(view, pa.table(data))
        try:
            self.con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {view}")
        finally:
            self.con.unregister(view)

    def _temp(self, name: str, data: dict[str, Any], types: dict[str, str]) -> None:
        """A temporary table (a registered Arrow table on DuckDB) of batch values to join."""
        if self.dialect == "postgresql":
            cols = ", ".join(f"{c} {t}" for c, t in types.items())
            self._run(f"DROP TABLE IF EXISTS {name}")
            self._run(f"CREATE TEMP TABLE {name} ({cols})")
            if set(types.values()) <= set(_BINARY):
                self._copy_binary(name, data, types)
            else:
                self._insert(name, data)
        else:
            self.con.register(name, pa.table(data))

    def _copy_binary(self, table: str, data: dict[str, Any], types: dict[str, str]) -> None:
        """COPY fixed-width integer columns in PostgreSQL's binary format, built by numpy (the
        batch's 320,000 band keys: no per-value text formatting or parsing)."""
        n = len(next(iter(data.values())))
        fields = [("fields", ">i2")]
        for c, t in types.items():
            fields += [(f"{c}_len", ">i4"), (c, _BINARY[t])]
        rows = np.empty(n, dtype=fields)
        rows["fields"] = len(types)
        for c, t in types.items():
            rows[f"{c}_len"] = np.dtype(_BINARY[t]).itemsize
            rows[c] = data[c]
        cols = ", ".join(types)
        sql = f"COPY {table} ({cols}) FROM STDIN (FORMAT BINARY)"
        with self.con.cursor() as cur, cur.copy(sql) as copy:
            copy.write(_PGCOPY_HEADER + rows.tobytes() + _PGCOPY_TRAILER)

    def _drop_temp(self, name: str) -> None:
        if self.dialect == "postgresql":
            self._run(f"DROP TABLE IF EXISTS {name}")
        else:
            self.con.unregister(name)

    # -- reading history ---------------------------------------------------------------------

    def _texts(self, items: Sequence[Item] = (), texts: Sequence[str] = ()) -> Texts:
        """`Texts` of a batch (at hand) and of stored items (read when first asked for, all
        the items of one call in one query)."""
        cache: dict[str, str | None] = dict(zip((it.item_id for it in items), texts, strict=True))

        def lookup(wanted: Sequence[Item]) -> list[str | None]:
            missing = [it for it in wanted if it.item_id not in cache]
            if missing:
                cache.update(self._stored_texts(missing))
            return [cache[it.item_id] for it in wanted]

        return lookup

    def _stored_texts(self, items: Sequence[Item]) -> dict[str, str | None]:
        """Folded match texts of stored items, from the articles (title and body) and ads
        tables; None where no row there folds to the item's stored text hash."""
        found: dict[str, str | None] = {it.item_id: None for it in items}
        tables = self._tables_with_text()
        selects, params = [], []
        for kind, table, sql in (
            ("article", "articles", "SELECT article_id, title, body FROM {}.articles"),
            ("ad", "ads", "SELECT ad_id, CAST(NULL AS VARCHAR), text FROM {}.ads"),
        ):
            ids = sorted({it.item_id for it in items if it.kind == kind})
            if ids and table in tables:
                key = "article_id" if kind == "article" else "ad_id"
                selects.append(
                    sql.format(self.schema)
                    + f" WHERE {key} IN (SELECT unnest(CAST(? AS VARCHAR[])))"
                )
                params.append(ids)
        if not selects:
            return found
        hashes = {it.item_id: it.exact_hash for it in items}
        for item_id, title, body in self._run(" UNION ALL ".join(selects), params):
            folded = fold_for_match(body if title is None else f"{title}\n{body}")
            # Only the text the stored signature was made from: never decide on other text.
            if match_hash(folded) == hashes[item_id]:
                found[item_id] = folded
        return found

    def _tables_with_text(self) -> set[str]:
        """Which of the warehouse's articles and ads tables this schema has (a dedup store
        on its own has neither: its near-threshold pairs are then decided on estimates)."""
        if self._text_tables is None:
            rows = self._run(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = ? AND table_name IN ('articles', 'ads')",
                [self.schema],
            )
            self._text_tables = {str(r[0]) for r in rows}
        return self._text_tables

    def _load(self, where: str, params: Sequence[Any]) -> tuple[list[Item], list[str], Any]:
        """Stored items matching `where`, with their cluster ids and signatures."""
        s = self.schema
        cols = ", ".join(f"s.{c}" for c in _ITEM_COLS)
        rows = self._run(
            f"SELECT {cols}, s.shingle_k, s.shingles, s.signature, m.cluster_id "
            f"FROM {s}.dedup_signatures s JOIN {s}.cluster_members m ON m.item_id = s.item_id "
            f"WHERE {where} ORDER BY s.item_id",
            params,
        )
        items = [_item(r[: len(_ITEM_COLS)]) for r in rows]
        sig = minhash.Signatures(
            values=np.array(
                [np.frombuffer(bytes(r[-2]), dtype=np.uint32) for r in rows], dtype=np.uint32
            ).reshape(len(rows), minhash.NUM_PERM),
            shingles=np.array([r[-3] for r in rows], dtype=np.int64),
            k=np.array([r[-4] for r in rows], dtype=np.int8),
        )
        return items, [r[-1] for r in rows], sig

    def _band_tables(self) -> list[str]:
        """Where band keys are stored: main and recent tier on PostgreSQL, one table on DuckDB."""
        main = f"{self.schema}.dedup_band_keys"
        return [main, f"{self.schema}.{RECENT}"] if self.dialect == "postgresql" else [main]

    def _band_candidates(self, keys: np.ndarray) -> set[tuple[int, str]]:
        """(batch position, stored item) pairs sharing a band key; rows of `keys` are batch
        positions."""
        flat = keys.ravel()
        order = np.argsort(flat, kind="stable")  # probe the band-key index in key order
        batch = {"band_key": flat[order], "pos": (order // keys.shape[1]).astype(np.int32)}
        if self.dialect == "postgresql":
            return {(int(a), str(b)) for a, b in self._probe_postgresql(batch)}
        # DuckDB hash-joins the batch against history, which is what it is good at.
        self._temp("dedup_batch_keys", batch, {"band_key": "BIGINT", "pos": "INTEGER"})
        try:
            rows = self._run(
                "SELECT k.pos, b.item_id FROM dedup_batch_keys k "
                f"JOIN {self.schema}.dedup_band_keys b ON b.band_key = k.band_key"
            )
        finally:
            self._drop_temp("dedup_batch_keys")
        return {(int(a), str(b)) for a, b in rows}

    def _probe_postgresql(self, batch: dict[str, np.ndarray]) -> list[tuple[Any, ...]]:
        """One index probe per batch key and indexed tier, split over PostgreSQL's parallel
        workers, and a parallel hash join with the recent item rows if there are any; from
        keys staged in a savepoint that is rolled back (with the settings it made)."""
        s = self.schema
        indexed = " UNION ALL ".join(
            f"SELECT k.pos, b.item_id FROM {s}.{PROBE} k JOIN {t} b ON b.band_key = k.band_key"
            for t in self._band_tables()
        )
        # generate_series, not unnest: PostgreSQL knows it yields BANDS rows (it assumes 10
        # for unnest), so it hashes the batch's keys, the smaller side, not the tier's.
        hashed = (
            f"SELECT k.pos, r.item_id FROM {s}.{RECENT_ITEMS} r "
            f"CROSS JOIN LATERAL generate_series(1, {minhash.BANDS}) AS g(i) "
            f"JOIN {s}.{PROBE} k ON k.band_key = r.band_keys[g.i]"
        )
        rows: list[tuple[Any, ...]] = []
        with self.con.transaction() as savepoint:
            self._copy_binary(f"{s}.{PROBE}", batch, {"band_key": "BIGINT", "pos": "INTEGER"})
            big = len(batch["pos"]) >= _PARALLEL_KEYS
            if big:
                # The planner sizes the table from its pages, rolled-back rows included, or
                # from a vacuum's count (zero live rows): it could then plan for one key (no
                # workers, twice the time) or hash the recent item rows with their arrays
                # instead of the batch's keys (0.4 s more). ANALYZE counts the staged keys
                # (~30 ms); the lock it takes makes concurrent large probes take turns.
                self._run(f"ANALYZE {s}.{PROBE}")
            self._settings(_INDEX_PROBE + (_PARALLEL_PROBE if big else ()))
            rows = self._run(indexed)
            if self._run(f"SELECT EXISTS (SELECT FROM {s}.{RECENT_ITEMS})")[0][0]:
                # Read whole, however small the batch: always in parallel.
                self._settings(_HASH_PROBE + _PARALLEL_PROBE)
                rows += self._run(hashed)
            raise psycopg.Rollback(savepoint)
        return rows

    def _settings(self, settings: Sequence[tuple[str, str]]) -> None:
        """Planner settings until the end of the (sub)transaction."""
        for name, value in settings:
            self._run("SELECT set_config(?, ?, true)", [name, value])

    def _hash_candidates(self, items: Sequence[Item]) -> set[tuple[int, str]]:
        """(batch position, stored item) pairs with the same match-folded text hash."""
        self._temp(
            "dedup_batch_hashes",
            {
                "exact_hash": [it.exact_hash for it in items],
                "pos": np.arange(len(items), dtype=np.int32),
            },
            {"exact_hash": "VARCHAR", "pos": "INTEGER"},
        )
        try:
            rows = self._run(
                f"SELECT h.pos, g.item_id FROM dedup_batch_hashes h "
                f"JOIN {self.schema}.dedup_signatures g ON g.exact_hash = h.exact_hash"
            )
        finally:
            self._drop_temp("dedup_batch_hashes")
        return {(int(a), str(b)) for a, b in rows}

    # -- writing -----------------------------------------------------------------------------

    def _write_members(self, members: Sequence[Member], by_id: dict[str, Item]) -> None:
        self._insert(
            f"{self.schema}.cluster_members",
            {
                "item_id": [m.item_id for m in members],
                "cluster_id": [m.cluster_id for m in members],
                "is_canonical": [m.is_canonical for m in members],
                "relation": [m.relation for m in members],
                "similarity": [m.similarity for m in members],
                "method": [m.method for m in members],
                "rule_version": [m.rule_version for m in members],
                "kind": [by_id[m.item_id].kind for m in members],
                "site_id": [by_id[m.item_id].site_id for m in members],
                "issue_date": [_date(by_id[m.item_id].issue_date) for m in members],
            },
        )

    def _write_items(
        self, items: Sequence[Item], sig: minhash.Signatures, keys: np.ndarray
    ) -> None:
        s = self.schema
        data: dict[str, Any] = {c: [getattr(it, c) for it in items] for c in _ITEM_COLS}
        data["issue_date"] = [_date(d) for d in data["issue_date"]]
        data["shingle_k"] = sig.k.astype(np.int16)
        data["shingles"] = sig.shingles.astype(np.int32)
        data["signature"] = [row.tobytes() for row in sig.values]
        self._insert(f"{s}.dedup_signatures", data)
        if self.dialect == "postgresql" and len(items) >= ITEM_ROWS_FROM:
            rows = {"item_id": [it.item_id for it in items], "band_keys": _pg_arrays(keys)}
            self._insert(f"{s}.{RECENT_ITEMS}", rows)
            return
        # In key order: index inserts then walk the band-key index once instead of at random.
        # COPY, not INSERT ... SELECT from the staged keys: only COPY inserts rows a page at a
        # time (half the time for 320,000 rows).
        flat = keys.ravel()
        order = np.argsort(flat, kind="stable")
        ids = np.array([it.item_id for it in items], dtype=object)[order // keys.shape[1]].tolist()
        self._insert(self._band_tables()[-1], {"band_key": flat[order], "item_id": ids})

    def compact(self, threshold: int | None = None) -> bool:
        """Move the recent band-key tier into the main one, in key order, once it holds
        `threshold` keys (PostgreSQL; DuckDB has one tier). Whether it moved anything."""
        if self.dialect != "postgresql":
            return False
        s = self.schema
        threshold = self.compact_rows if threshold is None else threshold
        if self._recent_rows(threshold) + self._recent_item_keys() < threshold:
            return False
        # One compaction at a time: a concurrent one skips it (the next load compacts), so
        # two loads never wait on each other's compaction. Rows another transaction adds
        # meanwhile are not visible to these DELETEs, so they stay recent.
        (mine,) = self._run("SELECT pg_try_advisory_xact_lock(?, hashtext(?))", [_COMPACT_LOCK, s])[
            0
        ]
        if not mine:
            return False
        self._run(
            f"WITH keyed AS (DELETE FROM {s}.{RECENT} RETURNING band_key, item_id), "
            f"itemed AS (DELETE FROM {s}.{RECENT_ITEMS} RETURNING item_id, band_keys) "
            f"INSERT INTO {s}.dedup_band_keys (band_key, item_id) "
            "SELECT band_key, item_id FROM keyed UNION ALL "
            "SELECT u.band_key, i.item_id FROM itemed i, unnest(i.band_keys) AS u(band_key) "
            "ORDER BY 1"
        )
        return True

    def _recent_item_keys(self) -> int:
        """Band keys in the recent item rows (a few thousand rows at most to read)."""
        sql = f"SELECT coalesce(sum(cardinality(band_keys)), 0) FROM {self.schema}.{RECENT_ITEMS}"
        return int(self._run(sql)[0][0])

    def _recent_rows(self, threshold: int) -> float:
        """Rows in the recent tier, estimated from an index range holding about 4,096 rows at
        `threshold` (band keys are uniform 64-bit hashes): milliseconds, not a 2M-row count."""
        share = min(1.0, _SAMPLE_ROWS / max(threshold, 1))
        table = f"{self.schema}.{RECENT}"
        if share == 1.0:
            return float(self._run(f"SELECT count(*) FROM {table}")[0][0])
        bound = -(2**63) + int(share * 2**64)
        (n,) = self._run(f"SELECT count(*) FROM {table} WHERE band_key < ?", [bound])[0]
        return int(n) / share

    def _rewrite(
        self, groups: list[tuple[list[Item], minhash.Signatures]], old: set[str], texts: Texts
    ) -> list[Member]:
        """Replace the member rows of clusters `old` by fresh ones for `groups` (one per cluster)."""
        members = [m for rows in memberships(groups, texts) for m in rows]
        by_id = {it.item_id: it for items, _ in groups for it in items}
        if old:
            self._run(
                f"DELETE FROM {self.schema}.cluster_members "
                "WHERE cluster_id IN (SELECT unnest(CAST(? AS VARCHAR[])))",
                [sorted(old)],
            )
        self._write_members(members, by_id)
        return members

    def _clusters(self, cluster_ids: set[str]) -> dict[str, tuple[list[Item], minhash.Signatures]]:
        """Every stored member of the given clusters, by cluster."""
        if not cluster_ids:
            return {}
        items, cids, sig = self._load(
            "m.cluster_id IN (SELECT unnest(CAST(? AS VARCHAR[])))", [sorted(cluster_ids)]
        )
        rows: dict[str, list[int]] = {}
        for i, cid in enumerate(cids):
            rows.setdefault(cid, []).append(i)
        return {cid: ([items[i] for i in r], _take(sig, r)) for cid, r in rows.items()}

    def _canonicals(self, cluster_ids: set[str]) -> dict[str, tuple[Item, minhash.Signatures]]:
        """The canonical item (and its signature) of each given cluster."""
        if not cluster_ids:
            return {}
        items, cids, sig = self._load(
            "m.is_canonical AND m.cluster_id IN (SELECT unnest(CAST(? AS VARCHAR[])))",
            [sorted(cluster_ids)],
        )
        return {c: (items[i], _take(sig, [i])) for i, c in enumerate(cids)}

    def lock_history(self, item_types: Iterable[str]) -> None:
        """Wait for, then hold until the transaction ends, the right to read and change the
        history of these item types (PostgreSQL: one advisory lock per type, taken in name
        order so that two loads never wait on each other's). DuckDB has one writer per file
        and the warehouse's transactions already take turns: nothing to do there."""
        if self.dialect != "postgresql":
            return
        for kind in sorted(set(item_types) - ISSUE_SCOPED_TYPES):
            self._run(
                "SELECT pg_advisory_xact_lock(?, hashtext(?))",
                [_HISTORY_LOCK, f"{self.schema}:{kind}"],
            )

    def stored_types(self, site_id: str, issue_date: str) -> set[str]:
        """The item types one stored issue holds (what forgetting it will change)."""
        rows = self._run(
            f"SELECT DISTINCT item_type FROM {self.schema}.dedup_signatures "
            "WHERE site_id = ? AND issue_date = ?",
            [site_id, _date(issue_date)],
        )
        return {str(r[0]) for r in rows}

    def delete_issue(self, site_id: str, issue_date: str) -> None:
        """Forget one issue's items. The clusters they belonged to are linked again from what
        remains: a new canonical if needed, and split where a removed item was the bridge."""
        s = self.schema
        key = [site_id, _date(issue_date)]
        self.lock_history(self.stored_types(site_id, issue_date))
        affected = {
            r[0]
            for r in self._run(
                f"SELECT DISTINCT cluster_id FROM {s}.cluster_members "
                "WHERE site_id = ? AND issue_date = ?",
                key,
            )
        }
        # Band keys are found again from the stored signatures, so only the band-key index is
        # needed (one random-insert index less on the largest table).
        gone, _, sig = self._load("s.site_id = ? AND s.issue_date = ?", key)
        if gone:
            keys = minhash.band_keys(sig.values, sig.k).ravel().tolist()
            for table in self._band_tables():
                self._run(
                    f"DELETE FROM {table} WHERE band_key IN "
                    "(SELECT unnest(CAST(? AS BIGINT[]))) AND item_id IN "
                    "(SELECT unnest(CAST(? AS VARCHAR[])))",
                    [keys, [g.item_id for g in gone]],
                )
            if self.dialect == "postgresql":
                self._run(
                    f"DELETE FROM {s}.{RECENT_ITEMS} WHERE item_id IN "
                    "(SELECT unnest(CAST(? AS VARCHAR[])))",
                    [[g.item_id for g in gone]],
                )
        for table in ("dedup_signatures", "cluster_members"):
            self._run(f"DELETE FROM {s}.{table} WHERE site_id = ? AND issue_date = ?", key)
        texts = self._texts()
        self._rewrite(_split(self._clusters(affected), texts), affected, texts)

    def assign(self, items: Sequence[Item], texts: Sequence[str]) -> list[Member]:
        """Deduplicate a batch against all stored history and store it; its members' rows."""
        if not items:
            return []
        self.lock_history(it.item_type for it in items)  # before the first read of history
        clock = time.perf_counter()
        if self.dialect == "postgresql":
            # JIT-compiling the probe costs 50-150 ms and saves nothing on index lookups.
            self._run("SELECT set_config('jit', 'off', true)")
        sig = minhash.signatures_parallel(list(texts))
        keys = minhash.band_keys(sig.values, sig.k)
        self.timings = {"sign": time.perf_counter() - clock}
        # Only one item per text is probed: its copies join it by their exact pairs, so 1,000
        # copies of an ad against 1,000 stored copies are 1,000 candidates, not a million.
        reps = representatives(items)
        band = self._band_candidates(keys[reps])
        self.timings["probe"] = time.perf_counter() - clock - sum(self.timings.values())
        hashed = self._hash_candidates([items[r] for r in reps])
        cand = sorted((reps[pos], old) for pos, old in band | hashed)
        return self._assign(items, sig, keys, cand, self._texts(items, texts), clock)

    def maintain(self) -> bool:
        """Compact the band-key tiers if the recent one is full (then vacuum its item rows),
        and empty the probe table if its dead rows have piled up, each in a transaction of its
        own (PostgreSQL; DuckDB has nothing to do). Called after a load has committed, so the
        load never waits on it or holds its locks meanwhile. Whether it compacted."""
        if self.dialect != "postgresql":
            return False
        with self.con.transaction():
            self._empty_probe_table()
        with self.con.transaction():
            compacted = self.compact()
        if compacted and self.con.autocommit:
            # The probe reads the recent item rows whole, deleted ones included until a vacuum,
            # and autovacuum may be off. VACUUM cannot run inside a transaction block, so a
            # caller's open transaction leaves this to a later vacuum. Not TRUNCATE: the
            # emptied pages are refilled by later loads, and giving them back to the OS
            # would wait up to 5 s for any load reading the table.
            self._run(f"VACUUM (TRUNCATE false) {self.schema}.{RECENT_ITEMS}")
        return compacted

    def _empty_probe_table(self) -> bool:
        """TRUNCATE the probe table once it is large. Every row it ever held was rolled back,
        but the space stays until a vacuum (and autovacuum may be off), and each probe scans
        it whole. A load using it right now keeps it as it is (NOWAIT), for a later load."""
        table = f"{self.schema}.{PROBE}"
        (size,) = self._run("SELECT pg_relation_size(CAST(? AS regclass))", [table])[0]
        if size < _PROBE_TABLE_MAX_BYTES:
            return False
        try:
            with self.con.transaction():
                self._run(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE NOWAIT")
                self._run(f"TRUNCATE {table}")
        except psycopg.errors.LockNotAvailable:
            return False
        return True

    def _assign(
        self,
        items: Sequence[Item],
        sig: minhash.Signatures,
        keys: np.ndarray,
        cand: list[tuple[int, str]],
        texts: Texts,
        clock: float,
    ) -> list[Member]:
        old_ids = sorted({old for _, old in cand})
        old_items, old_cids, old_sig = (
            self._load("s.item_id IN (SELECT unnest(CAST(? AS VARCHAR[])))", [old_ids])
            if old_ids
            else ([], [], None)
        )
        self._prefetch_texts(items, sig, cand, old_items, old_sig, texts)
        self.timings["join"] = time.perf_counter() - clock - sum(self.timings.values())
        with ThreadPoolExecutor(max_workers=1) as pool:
            # PostgreSQL stores the batch while clustering runs here: the writes do not depend
            # on it (and add no cluster rows it reads), and the server's core is otherwise
            # idle meanwhile. psycopg serializes the connection's use by the two threads;
            # DuckDB connections are not shared across threads.
            writing = (
                pool.submit(self._write_items, items, sig, keys)
                if self.dialect == "postgresql"
                else None
            )
            try:
                members = self._cluster(items, sig, keys, cand, old_items, old_cids, old_sig, texts)
            except Exception:
                # A failed write aborts the transaction under the clustering's own queries:
                # the write's error is the cause (e.g. a duplicate item id), so it is raised.
                failed = writing.exception() if writing is not None else None
                if failed is not None:
                    raise failed from None
                raise
            self.timings["cluster"] = time.perf_counter() - clock - sum(self.timings.values())
            if writing is None:
                self._write_items(items, sig, keys)
            else:
                writing.result()
        self.timings["write"] = time.perf_counter() - clock - sum(self.timings.values())
        mine = {it.item_id for it in items}
        return [m for m in members if m.item_id in mine]

    def _prefetch_texts(
        self,
        items: Sequence[Item],
        sig: minhash.Signatures,
        cand: list[tuple[int, str]],
        old_items: list[Item],
        old_sig: minhash.Signatures | None,
        texts: Texts,
    ) -> None:
        """Read the stored texts that linking will ask for (candidates whose estimate is near
        a threshold) now: on PostgreSQL the batch's writes hold the connection while the
        client clusters, and a read then would wait for them."""
        if old_sig is None or not cand:
            return
        at = {it.item_id: i for i, it in enumerate(old_items)}
        new = np.array([a for a, _ in cand], dtype=np.int64)
        old = np.array([at[b] for _, b in cand], dtype=np.int64)
        j = minhash.jaccard(sig.values[new], old_sig.values[old])
        near = near_threshold(j, sig.shingles[new], old_sig.shingles[old])
        wanted = np.unique(old[near & (sig.k[new] == old_sig.k[old])])
        if len(wanted):
            texts([old_items[i] for i in wanted.tolist()])

    def _cluster(
        self,
        items: Sequence[Item],
        sig: minhash.Signatures,
        keys: np.ndarray,
        cand: list[tuple[int, str]],
        old_items: list[Item],
        old_cids: list[str],
        old_sig: minhash.Signatures | None,
        texts: Texts,
    ) -> list[Member]:
        """Link the batch with its candidates, and write the member rows of what it touches."""
        n = len(items)
        every = [*items, *old_items]
        every_sig = _concat(sig, old_sig)
        uf = UnionFind(len(every))
        first_of: dict[str, int] = {}
        for j, cid in enumerate(old_cids):  # stored clusters stay whole
            uf.union(first_of.setdefault(cid, n + j), n + j)
        pos = {it.item_id: i for i, it in enumerate(every)}
        pairs = np.concatenate(
            [
                batch_candidates(items, keys),
                np.array(exact_pairs(items), dtype=np.int64).reshape(-1, 2),
                np.array([(new, pos[old]) for new, old in cand], dtype=np.int64).reshape(-1, 2),
            ]
        )
        for a, b in link(every, every_sig, pairs, texts):
            uf.union(a, b)
        groups, alone = [], []  # alone: like nothing stored or in the batch (most items)
        for g in uf.groups():
            if len(g) > 1 and g[0] < n:  # new items sort first
                groups.append(g)
            elif g[0] < n:
                alone.append(single(items[g[0]]))
        touched = {old_cids[i - n] for g in groups for i in g if i >= n}
        canon = self._canonicals(touched)
        kept: list[tuple[str, tuple[list[Item], minhash.Signatures]]] = []
        rebuild = []
        for g in groups:
            cids = sorted({old_cids[i - n] for i in g if i >= n})
            new = [i for i in g if i < n]
            head = canon[cids[0]][0] if len(cids) == 1 else None
            if head and all(canonical_order(items[i]) > canonical_order(head) for i in new):
                # The common case (a reprint, a rerun ad): the cluster keeps its canonical,
                # so only the new members are written, whatever the cluster's size.
                one = _concat(canon[cids[0]][1], _take(sig, new))
                kept.append((cids[0], ([head, *(items[i] for i in new)], one)))
            else:
                rebuild.append((cids, new))
        grown: list[Member] = []
        for (cid, _), rows in zip(kept, memberships([c for _, c in kept], texts), strict=True):
            for m in rows[1:]:  # the head's row is stored already
                m.cluster_id = cid
                grown.append(m)
        full = {c for cids, _ in rebuild for c in cids}
        stored = self._clusters(full)
        rebuilt = []
        for cids, new in rebuild:
            parts = [stored[c] for c in cids]
            rebuilt.append(
                (
                    [*(it for p in parts for it in p[0]), *(items[i] for i in new)],
                    _concat(*(p[1] for p in parts), _take(sig, new)),
                )
            )
        members = self._rewrite(rebuilt, full, texts) + grown + alone
        self._write_members(grown + alone, {it.item_id: it for it in items})
        return members


_BINARY = {"BIGINT": ">i8", "INTEGER": ">i4"}  # COPY binary: big-endian, length-prefixed
_PGCOPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags, header extension
_PGCOPY_TRAILER = b"\xff\xff"

_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _pg_arrays(keys: np.ndarray) -> list[str]:
    """Each row of `keys` as a PostgreSQL array literal, for COPY's text format."""
    return ["{" + ",".join(map(str, row)) + "}" for row in keys.tolist()]


def _copy_column(values: Any) -> list[str]:
    """One column in PostgreSQL's COPY text format (built column-wise: far fewer calls than
    psycopg's write_row per row)."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "iuf":
        return [str(v) for v in values.tolist()]
    if isinstance(values, list) and all(type(v) is str for v in values):
        joined = "".join(values)
        if not any(c in joined for c in "\\\t\n\r"):
            return values  # identifiers and hashes: nothing to escape
    out = []
    for v in values:
        if v is None:
            out.append("\\N")
        elif isinstance(v, bool | np.bool_):
            out.append("t" if v else "f")
        elif isinstance(v, bytes):
            out.append("\\\\x" + v.hex())
        elif isinstance(v, str):
            out.append(v.translate(_ESCAPE))
        else:
            out.append(str(v))  # numbers and dates
    return out


def _split(
    clusters: dict[str, tuple[list[Item], minhash.Signatures]], texts: Texts
) -> list[tuple[list[Item], minhash.Signatures]]:
    """The connected parts of each cluster's members under the linking rules. Every link a
    member ever had was to another member, so these are the clusters its members would
    form from scratch. All clusters in one pass (each kept apart): their texts in one query."""
    if not clusters:
        return []
    items = [it for members, _ in clusters.values() for it in members]
    parts = [cid for cid, (members, _) in clusters.items() for _ in members]
    sig = _concat(*(s for _, s in clusters.values()))
    return [([items[i] for i in g], _take(sig, g)) for g in components(items, sig, texts, parts)]


def _take(sig: minhash.Signatures, rows: Sequence[int]) -> minhash.Signatures:
    idx = np.asarray(rows, dtype=np.int64)
    return minhash.Signatures(sig.values[idx], sig.shingles[idx], sig.k[idx])


def _concat(*sigs: minhash.Signatures | None) -> minhash.Signatures:
    parts = [s for s in sigs if s is not None]
    if len(parts) == 1:
        return parts[0]
    return minhash.Signatures(
        np.vstack([s.values for s in parts]).astype(np.uint32, copy=False),
        np.concatenate([s.shingles for s in parts]),
        np.concatenate([s.k for s in parts]),
    )


def _date(value: str | dt.date) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _item(row: Sequence[Any]) -> Item:
    data = dict(zip(_ITEM_COLS, row, strict=True))
    data["issue_date"] = str(data["issue_date"])
    return Item(**data)


def assign_issue(store: DedupStore, issue: IssueRecord) -> list[Member]:
    """Re-deduplicate one issue against all history and set its records' cluster ids.

    Holds the history locks of the types the issue had and has until the caller's
    transaction ends: concurrent loads give the clusters of loads one after the other."""
    items, texts = issue_items(issue)
    # All locks at once, in name order (delete and assign alone would take theirs in turn,
    # and a load could then hold 'news' while waiting for 'ad' held by one waiting for 'news').
    old = store.stored_types(issue.site_id, issue.issue_date)
    store.lock_history(old | {it.item_type for it in items})
    store.delete_issue(issue.site_id, issue.issue_date)
    members = store.assign(items, texts)
    cluster = {m.item_id: m.cluster_id for m in members}
    for a in issue.articles:
        a.cluster_id = cluster[a.article_id]
    for d in issue.ads:
        d.cluster_id = cluster[d.ad_id]
    return members
