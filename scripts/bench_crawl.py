"""Crawl throughput: our spider on a local 30-issue × 8-page replica next to `scrapy bench`.

Both run in this invocation on this machine, throttling off, so the ratio is what matters:
the issue's target is at least half of `scrapy bench`'s responses per second. The replica is
served by a separate `python -m http.server` process, like scrapy bench's own server.

    .venv/bin/python scripts/bench_crawl.py [--issues 30] [--pages 8] [--articles 4]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from baokan.config import Settings  # noqa: E402
from baokan.crawl import run_crawl  # noqa: E402
from baokan.sites import load_profile_file  # noqa: E402
from tests.replica import build_classic_paper, readme_profile  # noqa: E402

# Throttling off and the concurrency scrapy bench itself runs with (its defaults: 16 / 8).
FAST = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "LOG_LEVEL": "INFO",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _scrapy_stats(log: str) -> dict[str, float]:
    """Response count and elapsed seconds from a Scrapy stats dump."""
    count = re.search(r"'downloader/response_count': (\d+)", log)
    elapsed = re.search(r"'elapsed_time_seconds': ([\d.]+)", log)
    if not count or not elapsed:
        raise RuntimeError(f"no Scrapy stats in log:\n{log[-2000:]}")
    return {"responses": int(count.group(1)), "seconds": float(elapsed.group(1))}


def scrapy_bench(seconds: int) -> dict[str, float]:
    """`scrapy bench` with Scrapy's default settings (run outside this project)."""
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    with tempfile.TemporaryDirectory() as cwd:
        proc = subprocess.run(
            [sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}"],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    return _scrapy_stats(proc.stderr)


def build(work: Path, issues: int, pages: int, articles: int) -> list[str]:
    """The replica site and the profile dir; returns the issue dates."""
    start = date(2017, 10, 9)
    days = [(start + timedelta(days=n)).isoformat() for n in range(issues)]
    labels = [f"{n:02d}" for n in range(1, pages + 1)]
    for day in days:
        build_classic_paper(work / "site", day, labels, articles)
    (work / "sites").mkdir()
    (work / "sites" / "mzrb.toml").write_text(readme_profile(), "utf-8")
    return days


def crawl_replica(work: Path, days: list[str]) -> dict[str, Any]:
    """Serve the replica from another process and crawl every issue in one spider run."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=work / "site",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.0)
        os.environ["BAOKAN_SITES_DIR"] = str(work / "sites")
        settings = Settings(work / "data", f"duckdb:///{work / 'wh.duckdb'}", work / "sites")
        profile = load_profile_file(work / "sites" / "mzrb.toml")
        started = time.monotonic()
        result = run_crawl(profile, days, settings, f"http://127.0.0.1:{port}/", overrides=FAST)
        wall = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    scrapy = _scrapy_stats(Path(result["log"]).read_text(errors="replace"))
    rows = sum(c["responses"] for c in result["issues"].values())
    return {
        **scrapy,
        "wall_seconds": round(wall, 2),
        "manifest_rows": rows,
        "stats": result["stats"],
    }


def main() -> int:
    """Run both, print a small table, write bench-results/crawl.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--issues", type=int, default=30)
    parser.add_argument("--pages", type=int, default=8)
    parser.add_argument("--articles", type=int, default=4)
    parser.add_argument("--bench-seconds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="baokan-bench-") as tmp:
        work = Path(tmp)
        days = build(work, args.issues, args.pages, args.articles)
        ours = crawl_replica(work, days)
    bench = scrapy_bench(args.bench_seconds)
    ours_rate = ours["responses"] / ours["seconds"]
    bench_rate = bench["responses"] / bench["seconds"]
    out = {
        "replica": f"{args.issues} issues × {args.pages} pages × {args.articles} articles",
        "baokan": {**ours, "responses_per_s": round(ours_rate, 1)},
        "scrapy_bench": {**bench, "responses_per_s": round(bench_rate, 1)},
        "ratio": round(ours_rate / bench_rate, 3),
    }
    print(f"replica: {out['replica']} ({ours['manifest_rows']} manifest rows)")
    print(f"{'':14}{'responses':>10}{'seconds':>9}{'resp/s':>9}")
    for name, r, rate in (("baokan crawl", ours, ours_rate), ("scrapy bench", bench, bench_rate)):
        print(f"{name:14}{r['responses']:>10}{r['seconds']:>9.2f}{rate:>9.1f}")
    print(f"ratio baokan / scrapy bench: {out['ratio']:.2f} (target ≥ 0.50)")
    print(f"baokan wall clock incl. subprocess start: {ours['wall_seconds']} s")
    dest = ROOT / "bench-results" / "crawl.json"
    dest.parent.mkdir(exist_ok=True)
    dest.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
