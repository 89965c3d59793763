"""Benchmark the warehouse loaders: synthetic articles into DuckDB and PostgreSQL.

Loads N synthetic articles (1,500 Chinese characters each, drawn from the character
frequencies of the bundled sample) issue by issue through the real loader
(`Warehouse.load_issue`), next to a naive `executemany` INSERT baseline on the same
backend in the same run, then re-loads one issue into the full warehouse.

    .venv/bin/python scripts/bench_load.py [--articles 100000] [--per-issue 1000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from baokan.config import Settings
from baokan.demo import sample_root
from baokan.models import ArticleRecord, IssueRecord, PageRecord
from baokan.sites import SiteProfile, get_site
from warehouse import open_warehouse
from warehouse.duckdb_store import DuckDBWarehouse
from warehouse.schema import TABLES
from warehouse.store import Warehouse

BODY_CHARS = 1500
PAGES = 8


def alphabet() -> np.ndarray:
    """Code points of the sample's article text: realistic character frequencies."""
    text = "".join(
        "".join(a["paragraphs"])
        for f in sorted((sample_root() / "truth").glob("*.json"))
        for p in json.loads(f.read_text("utf-8"))["pages"]
        for a in p["articles"]
    )
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4")


def synthetic_issue(n: int, day: date, chars: np.ndarray, rng: np.random.Generator) -> IssueRecord:
    """One issue of `n` articles with unique random bodies, spread over PAGES pages."""
    iso = day.isoformat()
    text = chars[rng.integers(0, len(chars), size=n * BODY_CHARS)].tobytes().decode("utf-32-le")
    pages = [
        PageRecord(f"A{k}", f"第{k}版", f"http://bench.invalid/{iso}/node_A{k}.html", k,
                   fetched=True, parsed=True)
        for k in range(1, PAGES + 1)
    ]  # fmt: skip
    arts = [
        ArticleRecord(
            article_id=f"{iso}-{i:06d}", site_id="sample", issue_date=iso,
            page_label=f"A{i % PAGES + 1}", position=i, kicker=None,
            title=text[i * BODY_CHARS : i * BODY_CHARS + 16], subtitle=None, author="本报记者",
            body=text[i * BODY_CHARS : (i + 1) * BODY_CHARS],
            url=f"http://bench.invalid/{iso}/content_{i}.html", html_sha256="0" * 64,
            pdf_sha256="1" * 64, bbox=[10.0, 20.0, 300.0, 400.0], text_source="both",
            pdf_html_similarity=0.99, parser_version="bench", match_hash=f"{i:064d}",
            cluster_id=f"a{iso}{i:08d}",
        )
        for i in range(n)
    ]  # fmt: skip
    return IssueRecord("sample", "样报", iso, "complete", "bench", PAGES, pages, arts)


def baseline(store: Warehouse, issue: IssueRecord) -> float:
    """The naive loader: one parameterized INSERT per row through executemany."""
    cols = [c for c, _ in TABLES["core.articles"]]
    values = [[getattr(a, c, None) for c in cols] for a in issue.articles]
    for v in values:
        v[cols.index("issue_date")] = date.fromisoformat(issue.issue_date)
        v[cols.index("load_run")] = "baseline"
    sql = f"INSERT INTO core.articles ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    con: Any = store.con
    started = time.perf_counter()
    with store.transaction("bench"):
        if store.dialect.name == "postgresql":
            with con.cursor() as cur:
                cur.executemany(store.dialect.params(sql), values)
        else:
            con.executemany(sql, values)
    seconds = time.perf_counter() - started
    with store.transaction("bench"):
        store.execute("DELETE FROM core.articles WHERE load_run = 'baseline'")
    return len(values) / seconds


def duckdb_ceiling(path: Path, args: argparse.Namespace) -> dict[str, float]:
    """What DuckDB itself sustains here with one transaction per issue: ids and bodies only.

    The same bodies appended from ready-made Arrow tables into a two-column table, with the
    loader's connection settings, once with DuckDB's compression and once without; no other
    column, table, delete or Python work. No loader can beat this on the same machine.
    """
    chars, rng = alphabet(), np.random.default_rng(2026)
    batches = []
    for d in range(args.articles // args.per_issue):
        issue = synthetic_issue(args.per_issue, date(2020, 1, 1) + timedelta(days=d), chars, rng)
        ids, bodies = [a.article_id for a in issue.articles], [a.body for a in issue.articles]
        batches.append(pa.table({"article_id": ids, "body": bodies}))
    rates = {}
    for label, setting in (("compressed", "auto"), ("uncompressed", "uncompressed")):
        store = DuckDBWarehouse(path.with_name(f"ceiling-{label}.duckdb"))
        con = store.con
        con.execute(f"SET force_compression = '{setting}'")
        con.execute("CREATE TABLE bodies (article_id VARCHAR, body VARCHAR)")
        started = time.perf_counter()
        for batch in batches:
            con.execute("BEGIN TRANSACTION")
            con.from_arrow(batch).insert_into("bodies")
            con.execute("COMMIT")
        con.execute("CHECKPOINT")
        rates[label] = round(args.articles / (time.perf_counter() - started))
        store.close()
    return rates


@contextmanager
def postgres_database(admin: str) -> Iterator[str]:
    """A throw-away database on the server at `admin`."""
    import psycopg

    name = f"baokan_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlsplit(admin)._replace(path=f"/{name}").geturl()
        finally:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(url: str, profile: SiteProfile, args: argparse.Namespace, dedup: bool) -> dict[str, Any]:
    """Baseline, bulk load of every issue, and a re-load of one issue, on one backend.

    With ``dedup`` the load also deduplicates each issue against history (what the pipeline
    does); without it, the loader's bulk path alone is timed.
    """
    chars, rng = alphabet(), np.random.default_rng(2026)
    days = [date(2020, 1, 1) + timedelta(days=d) for d in range(args.articles // args.per_issue)]
    with open_warehouse(url) as store:
        base = baseline(store, synthetic_issue(args.baseline, date(1999, 1, 1), chars, rng))
        committed = 0.0
        for day in days:  # generate outside the timer, load inside it
            issue = synthetic_issue(args.per_issue, day, chars, rng)
            started = time.perf_counter()
            store.load_issue(profile, issue, [], assign_clusters=dedup)
            committed += time.perf_counter() - started
        started = time.perf_counter()
        if store.dialect.name == "duckdb":
            store.execute("CHECKPOINT")  # count moving the WAL into the database file too
        loading = committed + time.perf_counter() - started
        again = synthetic_issue(args.per_issue, days[len(days) // 2], chars, rng)
        started = time.perf_counter()
        store.load_issue(profile, again, [], assign_clusters=dedup)
        reload = time.perf_counter() - started
        (total,) = store.execute("SELECT count(*) FROM core.articles")[0]
    assert total == len(days) * args.per_issue, total
    return {
        "backend": store.dialect.name + (" +dedup" if dedup else ""),
        "articles": total,
        "baseline_rows_per_s": round(base),
        "bulk_rows_per_s": round(total / loading),
        "committed_rows_per_s": round(total / committed),
        "speedup": round(total / loading / base, 1),
        "reload_one_issue_s": round(reload, 3),
    }


def main() -> int:
    """Run the benchmark on both backends and print one line per backend."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--per-issue", type=int, default=1_000)
    parser.add_argument("--baseline", type=int, default=5_000, help="rows for executemany")
    parser.add_argument("--postgres", default="postgresql://127.0.0.1:5432/test")
    parser.add_argument("--out", type=Path, default=Path("bench-results/load.json"))
    args = parser.parse_args()
    profile = get_site("sample", Settings.from_env())
    results = []
    for dedup in (False, True):
        with tempfile.TemporaryDirectory() as tmp:
            results.append(run(f"duckdb:///{tmp}/bench.duckdb", profile, args, dedup))
        with postgres_database(args.postgres) as url:
            results.append(run(url, profile, args, dedup))
    with tempfile.TemporaryDirectory() as tmp:
        ceiling = duckdb_ceiling(Path(tmp) / "x.duckdb", args)
    print(f"{args.articles} articles × {BODY_CHARS} chars, {args.per_issue} per issue")
    for r in results:
        print(
            f"{r['backend']:<17} bulk {r['bulk_rows_per_s']:>7} rows/s (before final "
            f"checkpoint {r['committed_rows_per_s']:>7})  executemany "
            f"{r['baseline_rows_per_s']:>7} rows/s  ×{r['speedup']:<6} re-load one issue "
            f"{r['reload_one_issue_s']:.3f} s"
        )
    print(
        f"DuckDB ceiling (ids + bodies only, one transaction per issue): "
        f"{ceiling['compressed']} rows/s compressed, {ceiling['uncompressed']} uncompressed"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    out = {"loads": results, "duckdb_ceiling_rows_per_s": ceiling}
    args.out.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
