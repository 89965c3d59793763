"""Benchmark the dedup stage: signatures for N articles, and a batch against stored history.

    .venv/bin/python scripts/bench_dedup.py [--articles 100000] [--history 1000000]
        [--batch 10000] [--pg postgresql://postgres@127.0.0.1:5432/test] [--no-pg]

1. Whole stage (fold_for_match + MinHash + band keys) on `--articles` synthetic ~1,500-char
   articles, next to datasketch's default MinHash (128 permutations, `update_batch`) on the
   same folded texts in the same run (on a subset: it is much slower).
2. One `--batch` deduplicated against `--history` stored signatures in DuckDB and in
   PostgreSQL (`DedupStore.assign`: signatures, band-key and hash joins, reading candidates
   and their clusters, writing the batch), inside a transaction that is rolled back. On
   PostgreSQL the recent band-key tier starts half full (its average state), in the table that
   batches of `--batch` items write to (item rows from `ITEM_ROWS_FROM` items), and the
   compaction that runs after the load filling the tier (`DedupStore.maintain`) is timed on its
   own, also rolled back. The dead rows a rolled-back batch leaves (a committed one leaves
   none) are vacuumed before the next run.
   History is `--history` random signatures (unrelated articles: what most of a real
   archive is to a new issue) plus real signatures of edited copies of 10 % of the batch,
   so the joins find true candidates and clusters are rewritten. The batch runs twice
   (rolled back both times): "first" right after the history was built, "again" warm; a
   third run traces the client's peak memory (Python and numpy), which must not depend on
   `--history`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
import tracemalloc
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from baokan import minhash
from baokan.dedup import RULE_VERSION, Item, match_hash
from parsers.text import fold_for_match
from warehouse import dedup_store
from warehouse.dedup_store import RECENT, RECENT_ITEMS, DedupStore, ddl

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 100_000  # history rows written per insert


def corpus_sentences() -> list[str]:
    """Sentences of the bundled sample articles."""
    out = []
    for path in sorted((ROOT / "baokan" / "sample" / "truth").glob("*.json")):
        for page in json.loads(path.read_text("utf-8"))["pages"]:
            for art in page["articles"]:
                for para in art["paragraphs"]:
                    out += [s + "。" for s in para.split("。") if len(s) > 8]
    return out


def make_articles(n: int, seed: int = 1) -> list[str]:
    """n distinct ~1,500-character articles: sample sentences with changed numbers and names."""
    rng = random.Random(seed)
    sentences = corpus_sentences()
    chars = "明湖青禾银溪云杉东岚南屿北川西塘"
    out = []
    for i in range(n):
        parts, size = [f"第{i}号稿件"], 0
        while size < 1500:
            s = rng.choice(sentences)
            s = s.replace("高新区", rng.choice(chars) + rng.choice(chars) + "高新区", 1)
            s = "".join(str(rng.randrange(10)) if c.isdigit() else c for c in s)
            parts.append(s)
            size += len(s)
        out.append("".join(parts)[:1500])
    return out


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """Result and wall seconds."""
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def stage(texts: list[str], overlap: bool) -> float:
    """Articles/s of the whole signature stage (fold, MinHash, band keys) in 2,000-text chunks."""
    chunks = (
        [fold_for_match(x) for x in texts[lo : lo + 2_000]] for lo in range(0, len(texts), 2_000)
    )
    t = time.perf_counter()
    if overlap:  # folding the next chunk while the kernel signs this one
        for _ in minhash.sign_folded_stream(chunks):
            pass
    else:
        for folded in chunks:
            sig = minhash.signatures(folded)
            minhash.band_keys(sig.values, sig.k)
    return len(texts) / (time.perf_counter() - t)


def datasketch_rate(texts: list[str]) -> float:
    """Articles/s of datasketch's default MinHash on the same folded 5-gram shingles."""
    from datasketch import MinHash

    t = time.perf_counter()
    for x in texts:
        folded = fold_for_match(x)
        m = MinHash()  # datasketch defaults: 128 permutations, sha1 hashing
        m.update_batch([folded[i : i + 5].encode("utf-8") for i in range(len(folded) - 4)])
        m.digest()
    return len(texts) / (time.perf_counter() - t)


def items_for(texts: list[str], site: str, day: str) -> tuple[list[Item], list[str]]:
    """Dedup items for synthetic articles of one issue."""
    folded = [fold_for_match(t) for t in texts]
    items = [
        Item(
            f"{site}-{day}-{i}",
            "article",
            "news",
            site,
            day,
            "html",
            None,
            match_hash(f),
            len(t),
            "A1",
            i,
        )
        for i, (t, f) in enumerate(zip(texts, folded, strict=True))
    ]
    return items, folded


def edited(text: str, rng: random.Random) -> str:
    """A wire-edited copy: one sentence dropped, a source line added."""
    sentences = text.split("。")
    del sentences[rng.randrange(1, len(sentences) - 1)]
    return "据新华社电 " + "。".join(sentences)


def plant(store: DedupStore, batch: list[str]) -> None:
    """Real signatures of edited copies of 10 % of the batch, stored as earlier history."""
    rng = random.Random(7)
    copies = [edited(t, rng) for t in batch[: len(batch) // 10]]
    store.assign(*items_for(copies, "wire", "2025-06-01"))


def random_history_duckdb(store: DedupStore, n: int) -> None:
    """n unrelated stored articles: random signatures and their band keys, via Arrow."""
    rng = np.random.default_rng(3)
    s = store.schema
    for lo in range(0, n, CHUNK):
        m = min(CHUNK, n - lo)
        ids = np.array([f"h{i}" for i in range(lo, lo + m)], dtype=object)
        values = rng.integers(0, 2**32, (m, minhash.NUM_PERM), dtype=np.uint64).astype(np.uint32)
        keys = minhash.band_keys(values, np.full(m, 5, dtype=np.int8))
        day = dt.date(2020, 1, 1)
        store._insert(
            f"{s}.dedup_signatures",
            {
                "item_id": ids,
                "kind": ["article"] * m,
                "item_type": ["news"] * m,
                "site_id": ["hist"] * m,
                "issue_date": [day] * m,
                "text_source": ["html"] * m,
                "raw_sha256": [None] * m,
                "exact_hash": [f"x{i}" for i in range(lo, lo + m)],
                "char_count": np.full(m, 1500, np.int32),
                "page_label": ["A1"] * m,
                "position": np.zeros(m, np.int32),
                "shingle_k": np.full(m, 5, np.int16),
                "shingles": np.full(m, 1496, np.int32),
                "signature": [r.tobytes() for r in values],
            },
        )
        store._insert(
            f"{s}.dedup_band_keys",
            {"band_key": keys.ravel(), "item_id": np.repeat(ids, minhash.BANDS)},
        )
        store._insert(
            f"{s}.cluster_members",
            {
                "item_id": ids,
                "cluster_id": ["c" + i for i in ids],
                "is_canonical": [True] * m,
                "relation": ["canonical"] * m,
                "similarity": np.ones(m),
                "method": ["exact-hash"] * m,
                "rule_version": [RULE_VERSION] * m,
                "kind": ["article"] * m,
                "site_id": ["hist"] * m,
                "issue_date": [day] * m,
            },
        )


def random_keys_pg(store: DedupStore, table: str, first: int, last: int) -> None:
    """Random band keys of history items first..last-1, generated inside PostgreSQL: one row
    per key, or one row per item with an array of keys in RECENT_ITEMS."""
    key = "(random() * 9.2e18 - 4.6e18)::bigint"
    if table == RECENT_ITEMS:  # + 0 * i: a new array per row, not one for all
        sql = f"""INSERT INTO {store.schema}.{RECENT_ITEMS} SELECT 'h' || i,
        array(SELECT {key} + 0 * i FROM generate_series(1, {minhash.BANDS}))
        FROM generate_series(?, ? - 1) i"""
    else:
        sql = f"""INSERT INTO {store.schema}.{table} SELECT {key}, 'h' || i
        FROM generate_series(?, ? - 1) i, generate_series(1, {minhash.BANDS}) b"""
    store._run(sql, [first, last])


def recent_table(batch: int) -> str:
    """Where batches of this size put their band keys: their recent history is there too."""
    return RECENT_ITEMS if batch >= dedup_store.ITEM_ROWS_FROM else RECENT


def random_history_pg(store: DedupStore, n: int, recent_in: str) -> None:
    """The same history generated inside PostgreSQL (no client round trips), then indexed.
    The newest items' band keys are in the recent tier, half full: its average state."""
    s = store.schema
    store._run(
        f"""INSERT INTO {s}.dedup_signatures SELECT 'h' || i, 'article', 'news', 'hist',
        DATE '2020-01-01', 'html', NULL, 'x' || i, 1500, 'A1', 0, 5, 1496,
        decode(repeat(md5(i::text), 32), 'hex') FROM generate_series(0, ? - 1) i""",
        [n],
    )
    recent = min(n, store.compact_rows // 2 // minhash.BANDS)
    random_keys_pg(store, "dedup_band_keys", 0, n - recent)
    random_keys_pg(store, recent_in, n - recent, n)
    store._run(
        f"""INSERT INTO {s}.cluster_members SELECT 'h' || i, 'ch' || i, true, 'canonical', 1.0,
        'exact-hash', ?, 'article', 'hist', DATE '2020-01-01' FROM generate_series(0, ? - 1) i""",
        [RULE_VERSION, n],
    )


def run_batch(store: DedupStore, batch: list[str]) -> dict[str, Any]:
    """Seconds to deduplicate the batch against history (by phase), and how many matched."""
    items, folded = items_for(batch, "today", "2026-01-05")
    members, seconds = timed(lambda: store.assign(items, folded))
    phases = {k: round(v, 3) for k, v in store.timings.items()}
    return {
        "batch_s": round(seconds, 3),
        "phases_s": phases,
        "joined": sum(not m.is_canonical for m in members),
    }


def client_peak_mb(store: DedupStore, batch: list[str]) -> float:
    """Peak Python and numpy memory (MB) while one batch is deduplicated: a run of its own,
    since tracing slows it. Compare runs with different --history: it must not grow."""
    items, folded = items_for(batch, "today", "2026-01-05")
    tracemalloc.start()
    try:
        store.assign(items, folded)
        return round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    finally:
        tracemalloc.stop()


def bench_duckdb(history: int, batch: list[str], path: Path) -> dict[str, Any]:
    """Build the DuckDB history file, then time one batch in a rolled-back transaction."""
    import duckdb

    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA core")
    store = DedupStore(con, "duckdb")
    store.create_tables()

    def build_history() -> None:
        random_history_duckdb(store, history)
        plant(store, batch)

    _, build = timed(build_history)
    result: dict[str, Any] = {}
    for run in ("first", "again"):  # cold caches, then warm (each run rolled back)
        con.execute("BEGIN TRANSACTION")
        result[run] = run_batch(store, batch)
        con.execute("ROLLBACK")
    con.execute("BEGIN TRANSACTION")
    result["client_peak_mb"] = client_peak_mb(store, batch)
    con.execute("ROLLBACK")
    con.close()
    path.unlink(missing_ok=True)
    return {"build_s": round(build, 1), **result}


def bench_pg(dsn: str, history: int, batch: list[str]) -> dict[str, Any]:
    """The same on PostgreSQL, in a schema of its own that is dropped afterwards."""
    import psycopg

    schema = f"bench_dedup_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {schema}")
        try:
            store = DedupStore(con, "postgresql", schema)
            for stmt in ddl("postgresql", schema):
                if "CREATE TABLE" in stmt:  # indexes after the bulk insert, as a backfill would
                    store._run(stmt)
            _, build = timed(lambda: random_history_pg(store, history, recent_table(len(batch))))

            def index_history() -> None:
                store.create_tables()
                store._run("ANALYZE")

            _, index = timed(index_history)
            plant(store, batch)
            result: dict[str, Any] = {}
            for run in ("first", "again"):
                con.execute("BEGIN")
                result[run] = run_batch(store, batch)
                con.execute("ROLLBACK")
                vacuum_batch_tables(store)
            con.execute("BEGIN")
            result["client_peak_mb"] = client_peak_mb(store, batch)
            con.execute("ROLLBACK")
            vacuum_batch_tables(store)
            result["compaction"] = bench_compaction(store, history, len(batch))
        finally:
            con.execute(f"DROP SCHEMA {schema} CASCADE")
    return {"build_s": round(build, 1), "index_s": round(index, 1), **result}


def vacuum_batch_tables(store: DedupStore) -> None:
    """Vacuum what a rolled-back batch wrote to (autovacuum may be off)."""
    with store.con.transaction():
        store._empty_probe_table()
    for t in ("dedup_signatures", "cluster_members", RECENT, RECENT_ITEMS):
        store._run(f"VACUUM {store.schema}.{t}")


def bench_compaction(store: DedupStore, history: int, batch: int) -> dict[str, Any]:
    """Seconds of the compaction that runs after a load fills the recent tier (rolled back),
    and every how many batches of this size that happens."""
    store.con.execute("BEGIN")
    try:
        (held,) = store._run(f"SELECT count(*) FROM {store.schema}.{RECENT}")[0]
        missing = max(0, store.compact_rows - int(held) - store._recent_item_keys())
        first = history + 10 * batch  # ids no batch uses
        table = recent_table(batch)
        random_keys_pg(store, table, first, first + -(-missing // minhash.BANDS))
        moved, seconds = timed(lambda: store.compact(threshold=1))  # exactly full: move it
    finally:
        store.con.execute("ROLLBACK")
    assert moved, "the recent tier was not full"
    return {
        "compact_s": round(seconds, 2),
        "rows": store.compact_rows,
        "every_batches": round(store.compact_rows / (batch * minhash.BANDS), 1),
    }


def main() -> None:
    """Run the benchmark and print one JSON report."""
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--datasketch", type=int, default=2_000, help="articles for the baseline")
    ap.add_argument("--history", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=10_000)
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--duckdb-file", type=Path, default=ROOT / "data" / "bench_dedup.duckdb")
    args = ap.parse_args()

    texts, gen = timed(lambda: make_articles(args.articles))
    print(
        f"generated {len(texts)} articles of ~{int(np.mean([len(t) for t in texts[:1000]]))} chars in {gen:.1f} s",
        flush=True,
    )
    # The first signing in a process loads the compiled kernel from numba's cache (or
    # compiles it, once per checkout): a one-off cost, reported apart from the rates.
    _, kernel_load = timed(lambda: minhash.signatures(["装载内核"]))
    ours = stage(texts, overlap=True)
    serial = stage(texts[: len(texts) // 5], overlap=False)
    theirs = datasketch_rate(texts[: args.datasketch])
    report: dict[str, Any] = {
        "stage_articles_per_s": round(ours),
        "stage_one_thread_articles_per_s": round(serial),
        "datasketch_articles_per_s": round(theirs),
        "speedup": round(ours / theirs, 2),
        "kernel_load_s": round(kernel_load, 2),
    }
    print(json.dumps(report), flush=True)
    batch = make_articles(args.batch, seed=2)
    args.duckdb_file.parent.mkdir(parents=True, exist_ok=True)
    report["duckdb"] = bench_duckdb(args.history, batch, args.duckdb_file)
    print(json.dumps(report), flush=True)
    if not args.no_pg:
        report["postgresql"] = bench_pg(args.pg, args.history, batch)
    report.update(history=args.history, batch=args.batch, articles=args.articles)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
