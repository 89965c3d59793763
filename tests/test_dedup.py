"""Deduplication on the labelled evaluation set: the quality gate, and the same clusters
whether a whole set is clustered at once or issue by issue against a real warehouse
(DuckDB file and the PostgreSQL server, each test in its own schema); pairs near the
similarity threshold, decided on their texts in memory and in both warehouses."""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from itertools import combinations
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import psycopg
import pytest

from baokan import minhash
from baokan.config import Settings
from baokan.dedup import (
    JACCARD_MIN,
    METHOD_MINHASH,
    METHOD_SHINGLES,
    RULE_VERSION,
    Item,
    Member,
    candidate_pairs,
    cluster_items,
    near_threshold,
    relation,
    similar,
)
from baokan.models import ArticleRecord, IssueRecord, PageRecord
from baokan.sites import get_site
from baokan.steps import process_issue
from parsers.text import fold_for_match
from tests.dedup_eval import TRUTH, as_items, load_eval, reworded, sample_text, score
from warehouse import dedup_store, open_warehouse
from warehouse.dedup_store import DedupStore

PG_DSN = "postgresql://postgres@127.0.0.1:5432/test"
GOLDEN_SIGNATURES = "a95000c14eef631ba5aee979a49ed4ed39baa1e01b21d109d94abc6170151f6b"

# The issue's floors. MINIMUMS below may only ever be raised towards what the rules reach.
FLOOR_PRECISION = 0.99
FLOOR_RECALL = {
    "identical": 0.99,
    "format_variant": 0.99,
    "templated_pdf": 0.99,
    "ocr": 0.95,
    "reprint": 0.90,
    "truncated": 0.90,
    "recurring_ad": 0.90,
}
MIN_PRECISION = 0.99
MIN_RECALL = {
    "identical": 1.0,
    "format_variant": 1.0,
    "templated_pdf": 1.0,
    "ocr": 0.95,
    "reprint": 0.95,
    "truncated": 0.95,
    "recurring_ad": 0.95,
    "reworded": 1.0,
    "other_page": 1.0,
}


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    """The labelled evaluation set."""
    return load_eval()


@pytest.fixture(scope="module")
def batch(records: list[dict[str, Any]]) -> list[Member]:
    """The whole set clustered in memory, in one batch."""
    return cluster_items(*as_items(records))


def test_minimums_are_never_below_the_floors() -> None:
    assert MIN_PRECISION >= FLOOR_PRECISION
    assert all(MIN_RECALL[k] >= v for k, v in FLOOR_RECALL.items())


def test_quality_gate(records: list[dict[str, Any]], batch: list[Member]) -> None:
    s = score(records, batch)
    assert set(s.recall) == set(MIN_RECALL)
    assert min(s.counts.values()) >= 28  # enough labelled pairs in every bucket to mean something
    for bucket, minimum in MIN_RECALL.items():
        assert s.recall[bucket] >= minimum, (bucket, s.recall)
    assert set(s.precision) == {"identical", "format_variant", "reprint", "recurring_ad"}
    for rel, value in s.precision.items():
        assert value >= MIN_PRECISION, (rel, s.precision)
    assert s.pair_precision >= MIN_PRECISION
    assert s.wrong_canonical == []
    assert s.templated_cross_day == []


def test_templated_reports_are_kept_apart_by_type_not_by_luck(
    records: list[dict[str, Any]],
) -> None:
    # Different days' weather reports share enough text to pass the Jaccard rule ...
    items, texts = as_items(records)
    weather = [
        i for i, r in enumerate(records) if r["variant"] == "templated" and "天气" in r["title"]
    ]
    sig = minhash.signatures([texts[i] for i in weather])
    close = [
        (a, b)
        for a, b in combinations(range(len(weather)), 2)
        if minhash.jaccard(sig.values[a], sig.values[b]) >= 0.7
    ]
    assert len(close) >= 10
    # ... so it is the item type that keeps them apart; as news they would merge.
    for i in weather:
        items[i].item_type = "news"
    merged = cluster_items(items, texts)
    by_id = {m.item_id: m.cluster_id for m in merged}
    ids = [records[i]["item_id"] for i in weather]
    assert len({by_id[i] for i in ids}) < len(ids)


def test_minhash_estimates_follow_exact_jaccard(records: list[dict[str, Any]]) -> None:
    _, texts = as_items(records[:200])
    sig = minhash.signatures(texts)

    def grams(t: str) -> set[str]:
        return {t[i : i + 5] for i in range(len(t) - 4)}

    errors = []
    for a, b in combinations(range(0, 200, 3), 2):
        ga, gb = grams(texts[a]), grams(texts[b])
        exact = len(ga & gb) / len(ga | gb)
        errors.append(abs(exact - float(minhash.jaccard(sig.values[a], sig.values[b]))))
    # 128 permutations: standard error ≤ 0.045; the mean error must be well inside it.
    assert float(np.mean(errors)) < 0.03 and max(errors) < 0.2


def test_signatures_do_not_depend_on_batch_company(records: list[dict[str, Any]]) -> None:
    _, texts = as_items(records)
    together = minhash.signatures(texts)
    alone = minhash.signatures(texts[5:6])
    assert np.array_equal(together.values[5], alone.values[0])
    assert minhash.signatures(["", "短"]).shingles.tolist() == [0, 1]
    assert minhash.signatures([]).values.shape == (0, minhash.NUM_PERM)


def _reference_signature(text: str) -> list[int]:
    """The documented MinHash scheme spelled out with Python ints: the compiled kernel's oracle."""
    m32, m64 = 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF
    k = minhash.SHORT_SHINGLE if len(text) < minhash.SHORT_TEXT else minhash.SHINGLE
    if not text:
        return [m32] * minhash.NUM_PERM
    if len(text) < k:  # one shingle, the whole text: a 64-bit sum, mixed in 64 bits
        x = sum((ord(c) * 0x01000193) & m32 for c in text)
        mask = m64
        hashes = [x]
    else:
        hashes, mask = [], m32
        for i in range(len(text) - k + 1):
            code = k
            for c in text[i : i + k]:
                code = (code * 0x01000193 + ord(c)) & m32
            hashes.append(code)
    out = []
    for x in hashes:
        for shift, mult in ((16, 0x85EBCA6B), (13, 0xC2B2AE35)):
            x = ((x ^ (x >> shift)) * mult) & mask
        out.append((x ^ (x >> 16)) & m32)
    return [min((h * int(a)) & m32 for h in out) for a in minhash._A]


def test_signatures_equal_a_plain_python_reference(records: list[dict[str, Any]]) -> None:
    _, texts = as_items(records[:12])
    texts += ["", "短", "中文", "三个字", "短讯：今日晴", "x" * 79, "𠀀𠀁𠀂𠀃𠀄丁"]
    sig = minhash.signatures(texts)
    for i, text in enumerate(texts):
        assert sig.values[i].tolist() == _reference_signature(text), repr(text[:20])


def test_signatures_are_the_ones_stored_by_earlier_versions() -> None:
    # Stored history is matched against new batches: the scheme may never drift. Digest of
    # these texts' signatures as the numpy implementation of rule v1 (before numba) made them.
    texts = ["", "短", "中文", "三个字", "本报讯（记者 张明）高新区今年新增企业", "据新华社电" * 40]
    values = minhash.signatures(texts).values
    assert hashlib.sha256(values.tobytes()).hexdigest() == GOLDEN_SIGNATURES


def _partition(members: list[Member]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for m in members:
        groups.setdefault(m.cluster_id, set()).add(m.item_id)
    return {frozenset(g) for g in groups.values()}


def _stored(store: DedupStore) -> list[Member]:
    rows = store._run(
        f"SELECT item_id, cluster_id, is_canonical, relation, similarity, method, rule_version "
        f"FROM {store.schema}.cluster_members ORDER BY item_id"
    )
    return [Member(*r) for r in rows]


def _assign(store: DedupStore, records: list[dict[str, Any]]) -> list[Member]:
    """Deduplicate records against history, their texts stored where the warehouse keeps
    them (the articles and ads tables of the store's schema), as a load does."""
    s = store.schema
    store._run(
        f"CREATE TABLE IF NOT EXISTS {s}.articles (article_id VARCHAR PRIMARY KEY, "
        "title VARCHAR NOT NULL, body VARCHAR NOT NULL)"
    )
    store._run(f"CREATE TABLE IF NOT EXISTS {s}.ads (ad_id VARCHAR PRIMARY KEY, text VARCHAR)")
    arts = [r for r in records if r["kind"] == "article"]
    ads = [r for r in records if r["kind"] == "ad"]
    for table, key, rows, cols in (
        ("articles", "article_id", arts, {"title": "title", "body": "body"}),
        ("ads", "ad_id", ads, {"text": "body"}),
    ):
        ids = [r["item_id"] for r in rows]
        store._run(
            f"DELETE FROM {s}.{table} WHERE {key} IN (SELECT unnest(CAST(? AS VARCHAR[])))", [ids]
        )
        store._insert(
            f"{s}.{table}", {key: ids, **{c: [r[f] for r in rows] for c, f in cols.items()}}
        )
    return store.assign(*as_items(records))


def _issue_of(records: list[dict[str, Any]], day: str, site: str) -> list[dict[str, Any]]:
    return [r for r in records if (r["issue_date"], r["site_id"]) == (day, site)]


def _load_by_issue(store: DedupStore, records: list[dict[str, Any]], reverse: bool) -> None:
    """Feed the set one (site, issue) at a time, as the pipeline does."""
    keys = sorted({(r["issue_date"], r["site_id"]) for r in records}, reverse=reverse)
    for day, site in keys:
        _assign(store, _issue_of(records, day, site))


def _check_incremental(
    store: DedupStore, records: list[dict[str, Any]], batch: list[Member]
) -> None:
    store.create_tables()
    _load_by_issue(store, records, reverse=False)
    stored = _stored(store)
    assert _partition(stored) == _partition(batch)
    expected = {(m.item_id, m.cluster_id, m.is_canonical, m.relation) for m in batch}
    assert {(m.item_id, m.cluster_id, m.is_canonical, m.relation) for m in stored} == expected
    # Re-running one issue replaces its items and leaves the same rows.
    day, site = records[0]["issue_date"], records[0]["site_id"]
    store.delete_issue(site, day)
    _assign(store, _issue_of(records, day, site))
    assert {
        (m.item_id, m.cluster_id, m.is_canonical, m.relation) for m in _stored(store)
    } == expected


def test_incremental_duckdb_equals_one_batch(
    tmp_path: Path, records: list[dict[str, Any]], batch: list[Member]
) -> None:
    with duckdb.connect(str(tmp_path / "dedup.duckdb")) as con:
        con.execute("CREATE SCHEMA core")
        _check_incremental(DedupStore(con, "duckdb"), records, batch)


def test_backfill_in_reverse_order_gives_the_same_clusters(
    tmp_path: Path, records: list[dict[str, Any]], batch: list[Member]
) -> None:
    # Later issues first: canonicals move to the earliest appearance as history arrives.
    with duckdb.connect(str(tmp_path / "dedup.duckdb")) as con:
        con.execute("CREATE SCHEMA core")
        store = DedupStore(con, "duckdb")
        store.create_tables()
        _load_by_issue(store, records, reverse=True)
        stored = _stored(store)
    assert _partition(stored) == _partition(batch)
    expected = {(m.item_id, m.is_canonical, m.relation) for m in batch}
    assert {(m.item_id, m.is_canonical, m.relation) for m in stored} == expected


@pytest.fixture
def pg_schema() -> Iterator[tuple[psycopg.Connection[Any], str]]:
    """A fresh schema on the real PostgreSQL server, dropped afterwards."""
    schema = f"t_dedup_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_DSN, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
        try:
            with psycopg.connect(PG_DSN) as con:
                yield con, schema
        finally:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


# Issues of the set have 1 to 81 items: one indexed row per key for all of them, one row per
# item for all, and for the two largest only.
@pytest.mark.parametrize("item_rows_from", [dedup_store.ITEM_ROWS_FROM, 1, 50])
def test_incremental_postgresql_equals_one_batch(
    pg_schema: tuple[psycopg.Connection[Any], str],
    records: list[dict[str, Any]],
    batch: list[Member],
    item_rows_from: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dedup_store, "ITEM_ROWS_FROM", item_rows_from)
    con, schema = pg_schema
    store = DedupStore(con, "postgresql", schema)
    _check_incremental(store, records, batch)
    con.commit()
    with con.cursor() as cur:
        cur.execute(f"SELECT count(*), count(DISTINCT item_id) FROM {schema}.dedup_signatures")
        assert cur.fetchone() == (len(records), len(records))
    assert sum(_tiers(store)) == len(records) * minhash.BANDS
    # Compaction moves every band key to the main tier, and changes no cluster.
    expected = _stored(store)
    assert store.compact(threshold=1)
    assert _tiers(store) == (len(records) * minhash.BANDS, 0)
    day, site = records[-1]["issue_date"], records[-1]["site_id"]
    store.delete_issue(site, day)
    _assign(store, _issue_of(records, day, site))
    assert _stored(store) == expected


def test_postgresql_compacting_mid_backfill_changes_nothing(
    pg_schema: tuple[psycopg.Connection[Any], str],
    records: list[dict[str, Any]],
    batch: list[Member],
) -> None:
    # A tiny threshold: the recent band-key tier moves to the main one every few issues.
    con, schema = pg_schema
    store = DedupStore(con, "postgresql", schema, compact_rows=20 * minhash.BANDS)
    compactions = 0
    store.create_tables()
    keys = sorted({(r["issue_date"], r["site_id"]) for r in records})
    for day, site in keys:
        _assign(store, _issue_of(records, day, site))
        compactions += store.maintain()  # as a load does once the issue has committed
    assert compactions >= 2
    expected = {(m.item_id, m.cluster_id, m.is_canonical, m.relation) for m in batch}
    assert {
        (m.item_id, m.cluster_id, m.is_canonical, m.relation) for m in _stored(store)
    } == expected
    main, recent = _tiers(store)
    assert main > 0 and main + recent == len(records) * minhash.BANDS


def test_postgresql_parallel_probe_equals_one_batch_and_leaves_nothing_behind(
    pg_schema: tuple[psycopg.Connection[Any], str],
    records: list[dict[str, Any]],
    batch: list[Member],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Early issues one by one, then all later ones as one batch with the parallel settings.
    monkeypatch.setattr(dedup_store, "_PARALLEL_KEYS", 1)
    con, schema = pg_schema
    store = DedupStore(con, "postgresql", schema)
    store.create_tables()
    days = sorted({r["issue_date"] for r in records})
    early = [r for r in records if r["issue_date"] <= days[len(days) // 2]]
    late = [r for r in records if r["issue_date"] > days[len(days) // 2]]
    _load_by_issue(store, early, reverse=False)
    monkeypatch.setattr(dedup_store, "ITEM_ROWS_FROM", 1)  # the late batch as item rows
    work_mem = store._run("SELECT current_setting('work_mem')")
    run = store._run
    plans = _record_probe_plans(store, monkeypatch)
    _assign(store, late)
    expected = {(m.item_id, m.cluster_id, m.is_canonical, m.relation) for m in batch}
    assert {
        (m.item_id, m.cluster_id, m.is_canonical, m.relation) for m in _stored(store)
    } == expected
    # The staged keys and the probe's settings went with its savepoint.
    assert run(f"SELECT count(*) FROM {schema}.{dedup_store.PROBE}") == [(0,)]
    assert run("SELECT current_setting('enable_hashjoin')") == [("on",)]
    assert run("SELECT current_setting('work_mem')") == work_mem
    # A batch of the size that turns the settings on is probed by a parallel plan.
    monkeypatch.setattr(dedup_store, "_PARALLEL_KEYS", 32_000)
    rng = np.random.default_rng(5)
    many = np.sort(rng.integers(-(2**63), 2**63 - 1, 40_000, dtype=np.int64))
    plans.clear()
    store._probe_postgresql({"band_key": many, "pos": np.arange(40_000, dtype=np.int32)})
    # The indexes of both tiers, and the recent item rows by a parallel hash join.
    assert len(plans) == 2 and all("Parallel Seq Scan" in p for p in plans)
    assert dedup_store.RECENT_ITEMS in plans[1] and "Parallel Hash" in plans[1]
    # A parallel worker alone (the leader takes no part) finds what one process finds: it
    # sees the keys staged by the leader's own uncommitted transaction.
    sig = minhash.signatures(as_items(late)[1])
    keys = minhash.band_keys(sig.values, sig.k)
    alone = store._band_candidates(keys)
    (version,) = run("SELECT current_setting('server_version_num')::int")[0]
    force = "debug_parallel_query" if version >= 160000 else "force_parallel_mode"
    con.execute(f"SET {force} = on")
    con.execute("SET parallel_leader_participation = off")
    plans.clear()
    assert store._band_candidates(keys) == alone and len(alone) >= len(late)
    assert plans and all("Gather" in p for p in plans)


def _bridged(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A story (paper a), its first 60 % reprinted by paper b and its last 60 % by paper c:
    b and c are linked only through a (each is contained in it; they share 20 %)."""
    base = max((r for r in records if r["kind"] == "article"), key=lambda r: len(r["body"]))
    body, cut = base["body"], len(base["body"]) * 6 // 10
    parts = {"a": body, "b": body[:cut], "c": body[-cut:]}
    return [
        {**base, "item_id": f"bridge-{k}", "site_id": k, "issue_date": f"2025-12-0{i + 1}",
         "body": text, "raw_sha256": None}
        for i, (k, text) in enumerate(parts.items())
    ]  # fmt: skip


def _check_bridge_removed(store: DedupStore, records: list[dict[str, Any]]) -> None:
    store.create_tables()
    bridged = _bridged(records)
    _load_by_issue(store, bridged, reverse=False)
    assert len({m.cluster_id for m in _stored(store)}) == 1  # one story, through a
    store.delete_issue("a", "2025-12-01")
    left = _stored(store)
    assert _partition(left) == _partition(cluster_items(*as_items(bridged[1:])))
    assert _partition(left) == {frozenset({"bridge-b"}), frozenset({"bridge-c"})}
    assert all(m.is_canonical and m.relation == "canonical" for m in left)


def test_deleting_the_bridge_splits_the_cluster_duckdb(
    tmp_path: Path, records: list[dict[str, Any]]
) -> None:
    with duckdb.connect(str(tmp_path / "dedup.duckdb")) as con:
        con.execute("CREATE SCHEMA core")
        _check_bridge_removed(DedupStore(con, "duckdb"), records)


def test_deleting_the_bridge_splits_the_cluster_postgresql(
    pg_schema: tuple[psycopg.Connection[Any], str], records: list[dict[str, Any]]
) -> None:
    con, schema = pg_schema
    _check_bridge_removed(DedupStore(con, "postgresql", schema), records)


def test_postgresql_compaction_runs_one_at_a_time(
    pg_schema: tuple[psycopg.Connection[Any], str], records: list[dict[str, Any]]
) -> None:
    con, schema = pg_schema
    store = DedupStore(con, "postgresql", schema)
    store.create_tables()
    store.assign(*as_items(records[:20]))
    con.commit()
    with psycopg.connect(PG_DSN) as other:
        other_store = DedupStore(other, "postgresql", schema)
        assert other_store.compact(threshold=1)  # holds the compaction lock until it commits
        assert not store.compact(threshold=1)
        other.rollback()
    assert store.compact(threshold=1)
    assert _tiers(store) == (20 * minhash.BANDS, 0)


def test_postgresql_compaction_waits_for_no_load_and_leaves_no_dead_item_rows(
    pg_schema: tuple[psycopg.Connection[Any], str],
    records: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dedup_store, "ITEM_ROWS_FROM", 1)
    con, schema = pg_schema
    DedupStore(con, "postgresql", schema).create_tables()
    con.commit()
    with psycopg.connect(PG_DSN, autocommit=True) as auto:  # as the warehouse connects
        store = DedupStore(auto, "postgresql", schema, compact_rows=20 * minhash.BANDS)
        with auto.transaction():
            store.assign(*as_items(records[:20]))
        items = f"{schema}.{dedup_store.RECENT_ITEMS}"
        size = f"SELECT pg_relation_size('{items}')"
        with psycopg.connect(PG_DSN) as other:  # a load that has probed the tier, uncommitted
            other.execute(f"SELECT count(*) FROM {items}")
            assert store.maintain()
            assert other.execute(f"SELECT count(*) FROM {items}").fetchone()
        assert _tiers(store) == (20 * minhash.BANDS, 0)
        # Vacuumed: the next items take the moved rows' space, so the probe (which reads the
        # item rows whole) never reads dead rows piling up.
        (before,) = store._run(size)[0]
        with auto.transaction():
            store.assign(*as_items(records[20:40]))
        assert store._run(size) == [(before,)]
        assert _tiers(store) == (20 * minhash.BANDS, 20 * minhash.BANDS)


def test_postgresql_probe_table_is_emptied_once_large_unless_in_use(
    pg_schema: tuple[psycopg.Connection[Any], str],
    records: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dedup_store, "_PARALLEL_KEYS", 1)  # stage every batch's keys
    monkeypatch.setattr(dedup_store, "_PROBE_TABLE_MAX_BYTES", 1)
    con, schema = pg_schema
    store = DedupStore(con, "postgresql", schema)
    store.create_tables()
    store.assign(*as_items(records[:40]))
    con.commit()
    size = f"SELECT pg_relation_size('{schema}.{dedup_store.PROBE}')"
    assert store._run(size)[0][0] > 0  # rolled-back rows still take space
    with psycopg.connect(PG_DSN) as other:  # a load probing right now
        other.execute(f"SELECT count(*) FROM {schema}.{dedup_store.PROBE}")
        store.maintain()
        assert store._run(size)[0][0] > 0
    store.maintain()
    assert store._run(size)[0][0] == 0


def test_postgresql_probe_stays_parallel_after_a_vacuum_of_the_probe_table(
    pg_schema: tuple[psycopg.Connection[Any], str],
    records: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    con, schema = pg_schema
    store = DedupStore(con, "postgresql", schema)
    store.create_tables()
    monkeypatch.setattr(dedup_store, "_PARALLEL_KEYS", 1)  # every batch stages its keys
    store.assign(*as_items(records[:40]))
    con.commit()
    plans = _record_probe_plans(store, monkeypatch)
    many = np.sort(np.random.default_rng(7).integers(-(2**63), 2**63 - 1, 40_000))
    probe: dict[str, np.ndarray] = {"band_key": many, "pos": np.arange(40_000, dtype=np.int32)}
    # A vacuum that keeps the emptied pages (one that cannot take the lock to give them back
    # does) records zero rows in them: sized by that, a probe would be planned for one key.
    with psycopg.connect(PG_DSN, autocommit=True) as admin:
        admin.execute(f"VACUUM (TRUNCATE false) {schema}.{dedup_store.PROBE}")
    store._probe_postgresql(probe)  # planned from the staged keys, not from that count
    assert "Parallel Seq Scan" in plans[-1]


def test_postgresql_hash_probe_hashes_the_batch_however_many_dead_rows_staging_left(
    pg_schema: tuple[psycopg.Connection[Any], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    con, schema = pg_schema
    store = DedupStore(con, "postgresql", schema)
    store.create_tables()
    store._run(  # 3,000 recent item rows (96,000 keys) from a large batch
        f"INSERT INTO {schema}.{dedup_store.RECENT_ITEMS} SELECT 'r' || i, "
        f"array(SELECT (random() * 9e18)::bigint + 0 * i FROM generate_series(1, {minhash.BANDS})) "
        "FROM generate_series(1, 3000) i"
    )
    con.commit()
    rng = np.random.default_rng(11)
    probe: dict[str, np.ndarray] = {
        "band_key": np.sort(rng.integers(-(2**63), 2**63 - 1, 40_000)),
        "pos": np.arange(40_000, dtype=np.int32),
    }
    for _ in range(8):  # earlier probes leave 320,000 rolled-back rows in the probe table
        store._probe_postgresql(probe)
    plans = _record_probe_plans(store, monkeypatch)
    store._probe_postgresql(probe)
    # The hashed side (under "Parallel Hash") is the batch's 40,000 keys, not the 96,000.
    (plan,) = [p for p in plans if dedup_store.RECENT_ITEMS in p]
    lines = plan.splitlines()
    (at,) = [i for i, line in enumerate(lines) if re.search(r"->  Parallel Hash\s+\(", line)]
    assert f"Parallel Seq Scan on {dedup_store.PROBE}" in lines[at + 1]


def _record_probe_plans(store: DedupStore, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The plans of the store's band-key probes from now on, appended as they run."""
    plans: list[str] = []
    run = store._run

    def explained(sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        if sql.startswith("SELECT k.pos"):
            plans.append("\n".join(r[0] for r in run("EXPLAIN " + sql, params)))
        return run(sql, params)

    monkeypatch.setattr(store, "_run", explained)
    return plans


def _tiers(store: DedupStore) -> tuple[int, int]:
    """Band keys in the main and the recent tier."""
    (main,), (recent,) = (
        store._run(f"SELECT count(*) FROM {store.schema}.{t}")[0]
        for t in ("dedup_band_keys", "dedup_band_keys_recent")
    )
    return main, recent + store._recent_item_keys()


def test_sample_issues_end_with_the_reprint_in_marts_reprints(
    crawled: Settings, tmp_path: Path
) -> None:
    shutil.copytree(crawled.raw_dir, tmp_path / "data" / "raw")
    wh = Settings(tmp_path / "data", f"duckdb:///{tmp_path / 'wh.duckdb'}", None)
    for day in ("2026-01-05", "2025-12-29"):  # the later issue first: a backfill
        process_issue("sample", day, settings=wh)
    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
        appearances = con.execute(
            "SELECT a.issue_date::VARCHAR, a.title, a.is_canonical, a.cluster_relation, "
            "m.similarity FROM marts.articles a JOIN core.cluster_members m "
            "ON m.item_id = a.article_id WHERE a.cluster_id IN "
            "(SELECT cluster_id FROM marts.reprints) ORDER BY a.issue_date"
        ).fetchall()
        reprints = con.execute("SELECT title, appearances, issues FROM marts.reprints").fetchall()
        relations = con.execute(
            "SELECT kind, relation, count(*) FROM core.cluster_members GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    title = "让实验室成果走出“最后一公里”"
    assert appearances == [
        ("2025-12-29", title, True, "canonical", 1.0),
        ("2026-01-05", title, False, "reprint", 1.0),
    ]
    assert reprints == [(title, 2, 2)]
    # Every article and ad has exactly one membership; the subscription ad recurs.
    assert relations == [
        ("ad", "canonical", 1),
        ("ad", "recurring_ad", 1),
        ("article", "canonical", 17),
        ("article", "reprint", 1),
    ]


def test_postgresql_copy_keeps_awkward_text(
    pg_schema: tuple[psycopg.Connection[Any], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    con, schema = pg_schema
    store = DedupStore(con, "postgresql", schema)
    store.create_tables()
    record = {
        "item_id": "x\\y",
        "kind": "article",
        "title": "标题",
        "body": "正文\t内容",
        "group": "g",
        "variant": "base",
        "relation": "canonical",
        "site_id": "s\tite\\",
        "issue_date": "2026-01-05",
        "text_source": "html",
        "raw_sha256": None,
        "page_label": "A\n1",
        "position": 1,
    }
    other = {**record, "item_id": "稿件·乙", "site_id": "s2", "body": "另一篇正文"}
    store.assign(*as_items([record, other]))
    items, cids, sig = store._load("s.site_id = ?", ["s\tite\\"])
    assert [(i.item_id, i.page_label, i.raw_sha256) for i in items] == [("x\\y", "A\n1", None)]
    assert sig.values.shape == (1, minhash.NUM_PERM) and cids[0].startswith("c")
    # Band keys of ids of different byte lengths and escapes come back whole.
    keys = store._run(f"SELECT item_id, count(*) FROM {schema}.{dedup_store.RECENT} GROUP BY 1")
    assert dict(keys) == {"x\\y": minhash.BANDS, "稿件·乙": minhash.BANDS}
    # And as item rows (a large batch's), with the same keys.
    per_key = f"SELECT item_id, array_agg(band_key ORDER BY band_key) FROM {schema}.{{}} GROUP BY 1"
    before = dict(store._run(per_key.format(dedup_store.RECENT)))
    store.delete_issue("s\tite\\", "2026-01-05")
    store.delete_issue("s2", "2026-01-05")
    monkeypatch.setattr(dedup_store, "ITEM_ROWS_FROM", 1)
    store.assign(*as_items([record, other]))
    item_rows = f"SELECT item_id, band_keys FROM {schema}.{dedup_store.RECENT_ITEMS}"
    assert {i: sorted(k) for i, k in store._run(item_rows)} == before
    assert store._run(per_key.format(dedup_store.RECENT)) == []


# -- near the threshold: decided on the texts -------------------------------------------------


@dataclass
class NearPair:
    """A sample story and a reworded copy of it, with their exact and estimated Jaccard."""

    title: str
    body: str
    copy: str
    exact: float
    estimate: float


def _stories() -> list[tuple[str, str]]:
    """(title, body) of every sample article, in file order."""
    return [
        (art["title"], "\n".join(art["paragraphs"]))
        for path in sorted(TRUTH.glob("*.json"))
        for page in json.loads(path.read_text("utf-8"))["pages"]
        for art in page["articles"]
    ]


def _folded(title: str, body: str) -> str:
    return fold_for_match(f"{title}\n{body}")


def _exact(a: str, b: str) -> tuple[float, float]:
    """Exact Jaccard and containment of two folded texts' shingle sets."""
    sa, sb = minhash.shingle_set(a), minhash.shingle_set(b)
    return len(sa & sb) / len(sa | sb), len(sa & sb) / min(len(sa), len(sb))


@cache
def _near_pair(above: bool) -> NearPair:
    """The first story and seed (in order) whose reworded copy's exact Jaccard is just above
    0.7 (or just below) while the 128-permutation estimate reads the other side of it, with
    exact and estimated containment under 0.9: only the Jaccard rule can decide the pair."""
    lo, hi = (0.70, 0.76) if above else (0.64, 0.70)
    donor = sample_text()
    for title, body in _stories():
        for seed in range(60):
            copy = reworded(title, body, donor, lo, hi, random.Random(seed))
            if copy is None:
                continue
            a, b = _folded(title, body), _folded(title, copy)
            sig = minhash.signatures([a, b])
            est = minhash.jaccard(sig.values[:1], sig.values[1:])
            contained = minhash.containment(est, sig.shingles[:1], sig.shingles[1:])
            exact, exact_c = _exact(a, b)
            if (float(est[0]) < JACCARD_MIN) == above and max(exact_c, contained[0]) < 0.9:
                return NearPair(title, body, copy, exact, float(est[0]))
    raise AssertionError("no reworded copy across the threshold")


def test_near_pairs_sit_across_the_threshold_and_are_lsh_candidates() -> None:
    up, down = _near_pair(True), _near_pair(False)
    assert up.exact >= JACCARD_MIN > up.estimate  # the issue's edited reprint: 0.748 / 0.695
    assert down.exact < JACCARD_MIN <= down.estimate
    for pair in (up, down):
        a, b = _folded(pair.title, pair.body), _folded(pair.title, pair.copy)
        sig = minhash.signatures([a, b])
        # Both are candidates: LSH brings them to the rule, which must then decide.
        assert len(candidate_pairs(minhash.band_keys(sig.values, sig.k))) == 1
        assert near_threshold(np.array([pair.estimate]), sig.shingles[:1], sig.shingles[1:])[0]
        # The estimate alone decides them wrongly.
        assert similar(np.array([pair.estimate]), sig.shingles[:1], sig.shingles[1:])[0] != (
            pair.exact >= JACCARD_MIN
        )


def test_reworded_copies_near_the_threshold_are_always_lsh_candidates() -> None:
    # 32 bands of 4 rows: a pair of Jaccard J is a candidate with probability
    # 1 - (1 - J^4)^32, 0.99985 at 0.7; every one of these real copies must be one.
    donor = sample_text()
    found = []
    for title, body in _stories():
        for seed in range(4):
            copy = reworded(title, body, donor, 0.70, 0.76, random.Random(100 + seed))
            if copy is not None:
                found.append((_folded(title, body), _folded(title, copy)))
    assert len(found) >= 60
    for a, b in found:
        sig = minhash.signatures([a, b])
        assert len(candidate_pairs(minhash.band_keys(sig.values, sig.k))) == 1, _exact(a, b)
    assert 1 - (1 - 0.7**minhash.ROWS) ** minhash.BANDS > 0.9998


def _near_records(pair: NearPair) -> list[dict[str, Any]]:
    """The story in one paper, and its reworded copy in another a week later."""
    base = {
        "kind": "article", "title": pair.title, "group": "near", "variant": "base",
        "relation": "canonical", "text_source": "html", "raw_sha256": None,
        "page_label": "A1", "position": 1,
    }  # fmt: skip
    return [
        {**base, "item_id": "near-story", "site_id": "a", "issue_date": "2026-01-05",
         "body": pair.body},
        {**base, "item_id": "near-copy", "site_id": "b", "issue_date": "2026-01-12",
         "body": pair.copy, "variant": "reworded", "relation": "reprint"},
    ]  # fmt: skip


def _check_near(members: list[Member], pair: NearPair) -> None:
    """One cluster, with the exact similarity, if and only if the exact Jaccard passes."""
    by_id = {m.item_id: m for m in members}
    story, copy = by_id["near-story"], by_id["near-copy"]
    if pair.exact >= JACCARD_MIN:
        assert copy.cluster_id == story.cluster_id and story.is_canonical
        assert (copy.relation, copy.method) == ("reprint", METHOD_SHINGLES)
        assert copy.similarity == pytest.approx(pair.exact) and copy.rule_version == RULE_VERSION
    else:
        assert copy.cluster_id != story.cluster_id and copy.is_canonical


@pytest.mark.parametrize("above", [True, False])
def test_near_pairs_are_decided_on_their_texts_in_memory(above: bool) -> None:
    pair = _near_pair(above)
    _check_near(cluster_items(*as_items(_near_records(pair))), pair)


@pytest.mark.parametrize("above", [True, False])
@pytest.mark.parametrize("backfill", [False, True])
def test_near_pairs_are_decided_on_their_texts_in_the_stores(
    tmp_path: Path,
    pg_schema: tuple[psycopg.Connection[Any], str],
    above: bool,
    backfill: bool,
) -> None:
    # Each record an issue of its own, against history holding the other one; in a
    # backfill the copy comes first, and the story then takes the canonical's place.
    pair = _near_pair(above)
    records = _near_records(pair)
    order = records[::-1] if backfill else records
    con, schema = pg_schema
    with duckdb.connect(str(tmp_path / "dedup.duckdb")) as duck:
        duck.execute("CREATE SCHEMA core")
        for store in (DedupStore(duck, "duckdb"), DedupStore(con, "postgresql", schema)):
            store.create_tables()
            for record in order:
                _assign(store, [record])
            _check_near(_stored(store), pair)
            # Re-running the story's issue unlinks and links the copy again the same way.
            store.delete_issue("a", "2026-01-05")
            _assign(store, records[:1])
            _check_near(_stored(store), pair)


@pytest.mark.parametrize("above", [True, False])
def test_near_pairs_are_decided_on_their_texts_through_the_warehouse(
    warehouse_url: str, above: bool
) -> None:
    # The real load path: texts come from core.articles, where the issues were loaded.
    pair = _near_pair(above)
    profile = get_site("sample")
    with open_warehouse(warehouse_url) as wh:
        for day, item_id, body in (
            ("2026-01-05", "near-story", pair.body),
            ("2026-01-12", "near-copy", pair.copy),
        ):
            wh.load_issue(profile, _article_issue(day, [(item_id, pair.title, body, "A1")]), [])
        rows = wh.execute(
            "SELECT item_id, cluster_id, is_canonical, relation, similarity, method, "
            "rule_version FROM core.cluster_members ORDER BY item_id"
        )
    _check_near([Member(*r) for r in rows], pair)


def _article_issue(day: str, articles: list[tuple[str, str, str, str]]) -> IssueRecord:
    """An issue of the sample paper with these (id, title, body, page) HTML articles."""
    pages = sorted({page for *_, page in articles})
    return IssueRecord(
        site_id="sample",
        publication="高新样报",
        issue_date=day,
        status="complete",
        parser_version="test",
        pages_listed=len(pages),
        pages=[PageRecord(p, None, f"http://127.0.0.1/{day}/{p}", i) for i, p in enumerate(pages)],
        articles=[
            ArticleRecord(
                item_id, "sample", day, page, i, None, title, None, None, body, None,
                hashlib.sha256(body.encode()).hexdigest(), None, None, "html", None, "test",
            )
            for i, (item_id, title, body, page) in enumerate(articles)
        ],
    )  # fmt: skip


def test_stored_texts_of_near_candidates_are_read_in_one_query_before_the_writes(
    pg_schema: tuple[psycopg.Connection[Any], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every story in history, then all their reworded copies (34, most near the threshold)
    # as one batch: the stories' texts are read together, once, and before the batch's
    # writes (which hold the connection while the client clusters) begin.
    con, schema = pg_schema
    store = DedupStore(con, "postgresql", schema)
    store.create_tables()
    records = load_eval()
    _assign(store, [r for r in records if r["variant"] == "base"])
    copies = [r for r in records if r["variant"] == "reworded"]
    run, write, events = store._run, store._write_items, []

    def counted(sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        if f"FROM {schema}.articles" in sql and sql.startswith("SELECT"):
            events.append(("read", params))
        return run(sql, params)

    def writing(*args: Any) -> None:
        events.append(("write", ()))
        write(*args)

    monkeypatch.setattr(store, "_run", counted)
    monkeypatch.setattr(store, "_write_items", writing)
    members = _assign(store, copies)
    assert [e for e, _ in events] == ["read", "write"] and len(events[0][1][0]) >= 10
    assert {m.method for m in members} >= {METHOD_SHINGLES}
    by_group = {r["item_id"]: r["group"] for r in records}
    cids = {m.item_id: m.cluster_id for m in _stored(store)}
    assert all(cids[r["item_id"]] == cids[f"{by_group[r['item_id']]}-base"] for r in copies)


def test_a_stored_text_that_is_not_the_signed_one_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The texts table holds other text for the stored story (say, a later re-parse): the
    # pair is then decided on the estimate, never on text the signature does not describe.
    pair = _near_pair(True)
    records = _near_records(pair)
    with duckdb.connect(str(tmp_path / "dedup.duckdb")) as con:
        con.execute("CREATE SCHEMA core")
        store = DedupStore(con, "duckdb")
        store.create_tables()
        _assign(store, records[:1])
        con.execute("UPDATE core.articles SET body = body || '（完）'")
        store.assign(*as_items(records[1:]))
        assert _partition(_stored(store)) == {frozenset({"near-story"}), frozenset({"near-copy"})}


def test_a_store_without_texts_decides_near_pairs_on_the_estimate(tmp_path: Path) -> None:
    # A dedup store on its own (no articles or ads tables): the estimate stands.
    pair = _near_pair(False)
    with duckdb.connect(str(tmp_path / "dedup.duckdb")) as con:
        con.execute("CREATE SCHEMA core")
        store = DedupStore(con, "duckdb")
        store.create_tables()
        for record in _near_records(pair):
            store.assign(*as_items([record]))
        members = {m.item_id: m for m in _stored(store)}
    assert members["near-copy"].cluster_id == members["near-story"].cluster_id
    assert members["near-copy"].method == METHOD_MINHASH
    assert members["near-copy"].similarity == pair.estimate


def test_the_eval_set_holds_reworded_reprints_the_estimate_alone_would_miss(
    records: list[dict[str, Any]],
) -> None:
    _, texts = as_items(records)
    sig = minhash.signatures(texts)
    at = {r["item_id"]: i for i, r in enumerate(records)}
    missed = 0
    for r in records:
        if r["variant"] == "reworded":
            a, b = at[r["item_id"]], at[f"{r['group']}-base"]
            exact, _ = _exact(texts[a], texts[b])
            assert JACCARD_MIN <= exact < 0.76
            j = minhash.jaccard(sig.values[a : a + 1], sig.values[b : b + 1])
            missed += not similar(j, sig.shingles[a : a + 1], sig.shingles[b : b + 1])[0]
    assert missed >= 3


# -- relations ---------------------------------------------------------------------------------


def test_a_copy_on_another_page_of_the_same_issue_is_a_reprint() -> None:
    story = Item("s", "article", "news", "p", "2026-01-05", "html", "h1", "x", 400, "A1", 1)
    twin = {**vars(story), "item_id": "t", "text_source": "pdf", "raw_sha256": "pdf1"}
    assert relation(Item(**{**twin, "exact_hash": "y"}), story) == "format_variant"
    assert relation(Item(**{**vars(story), "item_id": "r"}), story) == "identical"
    assert relation(Item(**{**vars(story), "item_id": "o", "page_label": "A5"}), story) == (
        "reprint"
    )
    assert relation(Item(**{**twin, "page_label": "A5"}), story) == "reprint"
    assert relation(Item(**{**vars(story), "item_id": "d", "issue_date": "2026-01-06"}), story) == (
        "reprint"
    )


def test_other_page_copies_are_reprints_in_memory_and_in_the_warehouse(
    warehouse_url: str, records: list[dict[str, Any]], batch: list[Member]
) -> None:
    relations = {m.item_id: m.relation for m in batch}
    pages = [r for r in records if r["variant"] == "other_page"]
    assert len(pages) >= 28 and {relations[r["item_id"]] for r in pages} == {"reprint"}
    # Loaded as issues: the story on A1, the same text on A5 of the same issue.
    story = next(r for r in records if r["item_id"] == "story02-base")
    issue = _article_issue(
        story["issue_date"],
        [
            ("p-story", story["title"], story["body"], "A1"),
            ("p-copy", story["title"], story["body"], "A5"),
        ],
    )
    with open_warehouse(warehouse_url) as wh:
        wh.load_issue(get_site("sample"), issue, [])
        rows = wh.execute(
            "SELECT article_id, cluster_relation FROM marts.articles ORDER BY article_id"
        )
    assert rows == [("p-copy", "reprint"), ("p-story", "canonical")]


ROOT = Path(__file__).resolve().parent.parent
HOSTILE_PEAK_MB = 1_000  # 5,000 copies take 250-400 MB; all pairs of a bucket took 10+ GB


def _limit_address_space() -> None:
    """Keep a run that is not bounded from taking the machine down (a MemoryError instead)."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))


@pytest.mark.parametrize("case", ["near", "store"])
def test_five_thousand_copies_take_bounded_memory_and_form_one_cluster(case: str) -> None:
    # near: 5,000 texts that differ in one number (no two share a hash, all share every band
    # bucket), in memory; store: 5,000 identical items against 5,000 stored copies (DuckDB).
    # Each in a process of its own, so the peak RSS measured is the run's alone.
    cmd = [sys.executable, str(ROOT / "scripts" / "bench_dedup_memory.py"), "--child", case]
    done = subprocess.run(
        [*cmd, "5000"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        preexec_fn=_limit_address_space,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    _, items, clusters, _, peak_mb = done.stdout.split()
    assert (items, clusters) == ("5000", "1")
    assert float(peak_mb) < HOSTILE_PEAK_MB
