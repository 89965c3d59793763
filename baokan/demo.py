"""`baokan demo`: serve the bundled sample e-paper on 127.0.0.1 and ingest it end to end."""

from __future__ import annotations

import sys
import time
from importlib import resources
from pathlib import Path

from baokan.config import Settings, redact_url
from baokan.ingest import IngestResult, ingest
from baokan.serve import serve_directory

SAMPLE_SITE = "sample"

EXAMPLE_SQL = """SELECT issue_date, page_label, title, text_source, cluster_id, is_canonical
FROM marts.articles ORDER BY issue_date, page_label, position;"""


def sample_root() -> Path:
    """The bundled sample: site/ (served files) and truth/ (what each page really says)."""
    return Path(str(resources.files("baokan") / "sample"))


def sample_dates() -> list[str]:
    """Issue dates of the bundled sample, from its truth files."""
    return sorted(p.stem for p in (sample_root() / "truth").glob("*.json"))


def _progress(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


def run_demo(settings: Settings | None = None) -> IngestResult:
    """Serve, crawl, parse, dedup and load the sample; print a summary; return the result."""
    settings = settings or Settings.from_env()
    started = time.monotonic()
    dates = sample_dates()
    print(
        f"baokan demo: ingesting {len(dates)} sample issues into {redact_url(settings.warehouse)}",
        file=sys.stderr,
    )
    with serve_directory(sample_root() / "site") as base_url:
        _progress(f"serving the sample e-paper at {base_url}")
        result = ingest(
            SAMPLE_SITE, dates, base_url=base_url, settings=settings, progress=_progress
        )
    print_summary(result, settings, time.monotonic() - started)
    return result


def _cluster_counts(settings: Settings, site_id: str) -> tuple[int, int]:
    from warehouse import open_warehouse

    with open_warehouse(settings.warehouse) as store:
        rows = store.execute(
            "SELECT count(*), count(*) FILTER (WHERE n > 1) FROM (SELECT cluster_id, count(*) AS n"
            " FROM marts.articles WHERE site_id = ? GROUP BY cluster_id) AS clusters",
            [site_id],
        )
    return (int(rows[0][0]), int(rows[0][1])) if rows else (0, 0)


def print_summary(result: IngestResult, settings: Settings, seconds: float) -> None:
    """A short, human summary of the run on stdout."""
    issues = result.issues
    total = {
        k: sum(int(i[k]) for i in issues)
        for k in ("pages_listed", "pages_fetched", "pages_parsed", "articles", "ads", "problems")
    }
    statuses = ", ".join(f"{i['issue_date']} {i['status']}" for i in issues)
    clusters, multi = _cluster_counts(settings, SAMPLE_SITE)
    print(f"issues     {len(issues)} loaded ({statuses}), {len(result.failures)} failed")
    print(
        f"pages      {total['pages_listed']} listed, {total['pages_fetched']} fetched, "
        f"{total['pages_parsed']} parsed"
    )
    print(f"articles   {total['articles']}, ads {total['ads']}")
    print(f"clusters   {clusters} ({multi} with more than one member: reprints and copies)")
    print(f"problems   {total['problems']}")
    for line in [d for i in issues for d in i["problem_details"]] + result.failures:
        print(f"  - {line}")
    print(f"time       {seconds:.1f} s")
    print(f"\nwarehouse  {redact_url(settings.warehouse)}")
    print("Try it: .venv/bin/baokan sql (a SQL prompt on this warehouse), then paste")
    if not settings.warehouse.startswith("duckdb:///"):
        # No password at all in a command to copy: psql then prompts (or reads ~/.pgpass).
        print(f"  (or in psql '{redact_url(settings.warehouse, mask=None)}')")
    print("\n".join(f"  {line}" for line in EXAMPLE_SQL.splitlines()))
