"""Peak memory of deduplicating N copies of one text (a hostile batch), each run in a fresh
process so its peak RSS is its own.

    .venv/bin/python scripts/bench_dedup_memory.py [--sizes 1000,2000,10000]

Cases: `same` (N identical articles, in memory), `near` (N articles that differ in one
number: no two share a text hash, all share every band bucket), `store` (N identical
articles against a DuckDB history holding N more copies, through `DedupStore.assign`).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from baokan.dedup import Item, cluster_items, match_hash
from parsers.text import fold_for_match

CASES = ("same", "near", "store")
BASE = "本报讯 " + "市政府召开会议部署今年重点工作，强调要坚持稳中求进，推动高质量发展。" * 30


def hostile(n: int, varied: bool, day: str = "2026-01-01") -> tuple[list[Item], list[str]]:
    """n articles of one text (or of one text and a distinct number each)."""
    items, texts = [], []
    for i in range(n):
        folded = fold_for_match(BASE + (f"第{i}号" if varied else ""))
        items.append(
            Item(
                f"{day}-a{i}",
                "article",
                "news",
                "s",
                day,
                "html",
                None,
                match_hash(folded),
                len(folded),
                "1",
                i,
            )
        )
        texts.append(folded)
    return items, texts


def run_case(case: str, n: int) -> tuple[int, float]:
    """Clusters formed and seconds taken by one case (in this process)."""
    clock = time.perf_counter()
    if case in ("same", "near"):
        members = cluster_items(*hostile(n, case == "near"))
    else:
        import duckdb

        from warehouse.dedup_store import DedupStore

        with tempfile.TemporaryDirectory() as tmp:
            con = duckdb.connect(str(Path(tmp) / "w.duckdb"))
            con.execute("CREATE SCHEMA core")
            store = DedupStore(con, "duckdb")
            store.create_tables()
            store.assign(*hostile(n, False, "2026-01-01"))
            members = store.assign(*hostile(n, False, "2026-01-02"))
            con.close()
    return len({m.cluster_id for m in members}), time.perf_counter() - clock


def main() -> None:
    """Each case and size in a child process; print clusters, seconds and peak RSS."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="1000,2000,10000")
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--child", nargs=2, metavar=("CASE", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        clusters, seconds = run_case(args.child[0], int(args.child[1]))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{args.child[0]:>5} {int(args.child[1]):>6} {clusters:>8} {seconds:>7.1f} {peak:>9.0f}"
        )
        return
    print(f"{'case':>5} {'items':>6} {'clusters':>8} {'seconds':>7} {'peak MB':>9}", flush=True)
    for case in args.cases.split(","):
        for n in args.sizes.split(","):
            cmd = [sys.executable, __file__, "--child", case, n]
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
            print(
                done.stdout.strip() or f"{case:>5} {n:>6} failed: {done.stderr[-300:]}", flush=True
            )


if __name__ == "__main__":
    main()
