"""The `baokan` command line.

Exit status: 0 when every issue is complete or missing (no issue that day), 1 when any issue
failed or is partial (or a command failed), 2 on a usage error, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from baokan.progress import Reporter

if TYPE_CHECKING:
    from baokan.stagetimes import StageTimes

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
# Issue statuses that make `ingest` / `reparse` exit 1.
BAD_STATUSES = ("failed", "partial")


class UsageError(ValueError):
    """The command line asks for something baokan will not do (exit status 2)."""


def iso_date(value: str) -> str:
    """An argparse type: YYYY-MM-DD, with the reason when it is not one."""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"invalid date {value!r}: {exc} (expected YYYY-MM-DD)"
        ) from None


def positive_int(value: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"invalid count {value!r}: expected a whole number ≥ 1")
    return number


def _reporter(args: argparse.Namespace) -> Reporter:
    return Reporter.for_terminal(quiet=args.quiet, verbose=args.verbose)


def _check_site_and_dates(site_id: str, first: str, last: str | None) -> None:
    """The site exists, the range runs forward, no date is after today in the paper's timezone."""
    last = last or first
    if last < first:
        raise UsageError(f"--until {last} is before --date {first}")
    from baokan.sites import load_catalog

    catalog = load_catalog()
    if site_id in catalog.broken:  # a broken profile is the site's fault, not a usage error
        raise catalog.broken[site_id]
    if site_id not in catalog.sites:
        known = ", ".join(sorted(catalog.sites))
        raise UsageError(f"unknown site {site_id!r} (known: {known})")
    tz = catalog.sites[site_id].timezone
    today = datetime.now(ZoneInfo(tz)).date()
    if date.fromisoformat(last) > today:
        raise UsageError(f"{last} is after today ({today} in {tz}): no such issue yet")


def cmd_demo(args: argparse.Namespace) -> int:
    """Serve the bundled sample e-paper and ingest it end to end."""
    from baokan.demo import run_demo

    result = run_demo()
    return EXIT_FAILED if result.failures else EXIT_OK


def cmd_sites(args: argparse.Namespace) -> int:
    """List configured site profiles, the broken ones with their error (exit 1 if any)."""
    from baokan.sites import load_catalog

    catalog = load_catalog()
    for site in catalog.sites.values():
        print(
            f"{site.id:<16} {site.family:<16} {site.publication}  {site.base_url}  ({site.source})"
        )
    for site_id, error in catalog.broken.items():
        print(f"{site_id:<16} {'BROKEN':<16} {error}")
    for note in catalog.notes:
        print(f"note: {note}", file=sys.stderr)
    return 1 if catalog.broken else 0


def _print_issues(issues: list[dict], failures: list[str], quiet: bool = False) -> int:
    """One line per issue (with -q only the bad ones), its problems, then the exit status."""
    for issue in issues:
        if quiet and issue["status"] not in BAD_STATUSES:
            continue
        print(
            f"{issue['site_id']} {issue['issue_date']}: {issue['status']}, "
            f"{issue['pages_parsed']}/{issue['pages_listed']} pages, {issue['articles']} articles, "
            f"{issue['ads']} ads, {issue['problems']} problems"
        )
        for detail in issue["problem_details"]:
            print(f"  - {detail}")
    for failure in failures:
        print(f"FAILED {failure}", file=sys.stderr)
    bad = [f"{i['issue_date']} {i['status']}" for i in issues if i["status"] in BAD_STATUSES]
    bad += [f.split(":")[0] for f in failures]
    if bad:
        shown = ", ".join(bad[:5]) + (f", … {len(bad) - 5} more" if len(bad) > 5 else "")
        total = len(issues) + len(failures)
        print(f"baokan: {len(bad)} of {total} issues not complete ({shown})", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _engine_env(args: argparse.Namespace) -> None:
    """`--pdf-engine`, `--load-batch`, `--crawl-concurrency` reach the steps through the env."""
    if args.pdf_engine:
        from baokan.parse_issue import ENGINE_ENV

        os.environ[ENGINE_ENV] = args.pdf_engine
    if getattr(args, "load_batch", None):  # read by Settings.from_env, as the engine is
        os.environ["BAOKAN_LOAD_BATCH"] = str(args.load_batch)
    if getattr(args, "crawl_concurrency", None):  # read by the spider (its own process)
        os.environ["BAOKAN_CRAWL_CONCURRENCY"] = str(args.crawl_concurrency)


def _stage_times(args: argparse.Namespace) -> tuple[StageTimes, Path | None]:
    """Stage timing from --stage-times, else BAOKAN_STAGE_TIMES; off (a no-op) without either."""
    from baokan import stagetimes

    if args.stage_times:
        return stagetimes.StageTimes(), Path(args.stage_times)
    return stagetimes.from_env()


def cmd_ingest(args: argparse.Namespace) -> int:
    """Crawl, parse, dedup and load a date range."""
    from baokan.ingest import date_range, ingest

    _check_site_and_dates(args.site, args.date, args.until)
    _engine_env(args)
    dates = date_range(args.date, args.until)
    times, times_path = _stage_times(args)
    with _reporter(args) as reporter:
        result = ingest(
            args.site,
            dates,
            base_url=args.base_url,
            progress=reporter,
            force=args.force,
            step=reporter.step,
            workers=args.parse_workers,
            times=times,
        )
        reporter.finish(len(dates))
    if times_path:
        times.write(times_path)
    if result.crawl and not args.quiet:
        from baokan.crawl import format_stats

        print(format_stats(result.crawl["stats"]))
    return _print_issues(result.issues, result.failures, args.quiet)


def cmd_reparse(args: argparse.Namespace) -> int:
    """Re-parse, dedup and re-load a date range from the raw zone, without the network."""
    from baokan.ingest import date_range, ingest

    _check_site_and_dates(args.site, args.date, args.until)
    _engine_env(args)
    dates = date_range(args.date, args.until)
    with _reporter(args) as reporter:
        result = ingest(
            args.site,
            dates,
            crawl=False,
            progress=reporter,
            step=reporter.step,
            workers=args.parse_workers,
        )
        reporter.finish(len(dates))
    return _print_issues(result.issues, result.failures, args.quiet)


def cmd_parse_pdf(args: argparse.Namespace) -> int:
    """Parse one page PDF into articles and ads."""
    from parsers.pdf_page import parse_pdf

    path = Path(args.file)
    if path.is_dir():
        raise UsageError(f"{path} is a directory; give one page PDF (eval-pdf takes a directory)")
    pages = parse_pdf(path.read_bytes(), args.file, engine=args.pdf_engine or "pdfplumber")
    if args.json:
        out = {
            "pages": [
                {
                    "page_number": p.page_number,
                    "text_layer": p.text_layer,
                    "chars": p.chars,
                    "coverage": round(p.coverage, 4),
                    "articles": [{**asdict(a), "bbox": list(a.bbox)} for a in p.articles],
                    "ads": [
                        {"text": ad.text, "kind": ad.kind, "bbox": list(ad.bbox)} for ad in p.ads
                    ],
                    "furniture": p.furniture,
                    "unassigned": [{"text": b.text, "bbox": list(b.bbox)} for b in p.unassigned],
                }
                for p in pages
            ]
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    for page in pages:
        print(
            f"== page {page.page_number} (text layer: {page.text_layer}): "
            f"{len(page.articles)} articles, {len(page.ads)} ads, {page.chars} characters, "
            f"coverage {page.coverage:.4f}"
        )
        for note in page.notes:
            print(f"  ({note})")
        for art in page.articles:
            for label, value in (
                ("引题", art.kicker),
                ("标题", art.headline),
                ("副题", art.subtitle),
                ("作者", art.byline),
            ):
                if value:
                    print(f"{label}  {value}")
            subheads = list(art.subheads)
            for para in art.paragraphs:
                if subheads and para == subheads[0]:
                    print(f"小标题  {subheads.pop(0)}")
                else:
                    print(f"    {para}")
            for label, items in (("图片说明", art.captions), ("转版", art.continuations)):
                for item in items:
                    print(f"{label}  {item}")
            print()
        for ad in page.ads:
            print(f"[{'启事' if ad.kind == 'notice' else '广告'}] {ad.text}\n")
        if page.furniture:
            print(f"[版面] {' | '.join(page.furniture)}\n")
        for block in page.unassigned:
            print(f"[未归类] {list(block.bbox)} {block.text}")
    return 0


def cmd_eval_pdf(args: argparse.Namespace) -> int:
    """Score the PDF parser on a ground-truth corpus (PDFs with truth JSON beside them)."""
    from parsers.pdf_eval import evaluate, format_report

    corpus = Path(args.corpus)
    if not corpus.is_dir():
        raise FileNotFoundError(f"{corpus}: no such corpus directory")
    report = evaluate(corpus, engine=args.pdf_engine or "pdfplumber")
    print(format_report(report, verbose=not args.quiet))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export the marts of BAOKAN_WAREHOUSE to files."""
    from baokan.config import Settings
    from warehouse import open_warehouse
    from warehouse.export import export_marts

    settings = Settings.from_env()
    out = Path(args.out) if args.out else settings.data_dir / "export"
    with open_warehouse(settings.warehouse) as store:
        written = export_marts(store, out, args.format, partitioned=args.partitioned)
    for path, rows in written.items():
        print(f"{path}  {rows} rows")
    return EXIT_OK


def cmd_sql(args: argparse.Namespace) -> int:
    """Run SQL on BAOKAN_WAREHOUSE (a DuckDB file read-only, or PostgreSQL); a prompt if none."""
    from baokan import sql_shell
    from baokan.config import Settings

    fmt = "csv" if args.csv else "table"
    with sql_shell.connect(Settings.from_env().warehouse) as cur:
        if args.query:
            for statement in sql_shell.statements(args.query):
                sql_shell.run(cur, statement, fmt)
        elif sys.stdin.isatty():
            sql_shell.repl(cur, fmt)
        else:  # a script on stdin
            for statement in sql_shell.statements(sys.stdin.read()):
                sql_shell.run(cur, statement, fmt)
    return EXIT_OK


EPILOG = """exit status: 0 every issue complete or missing (no issue that day); 1 an issue failed
or is partial, or the command failed; 2 usage error (bad flag, date or site); 130 interrupted.
Settings: BAOKAN_DATA_DIR, BAOKAN_WAREHOUSE, BAOKAN_SITES_DIR, BAOKAN_PDF_ENGINE (see README)."""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    from baokan import PARSER_VERSION

    try:
        package = version("baokan")
    except PackageNotFoundError:  # a source tree that was never installed
        package = "unknown"
    return f"baokan {package} (parser {PARSER_VERSION})"


def _add_verbosity(parser: argparse.ArgumentParser, default: object) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "-q", "--quiet", action="store_true", default=default, help="no progress; only problems"
    )
    group.add_argument(
        "-v", "--verbose", action="store_true", default=default, help="every progress message"
    )


def _add_pdf_engine(parser: argparse.ArgumentParser, default: str) -> None:
    from parsers import PDF_ENGINES  # the package alone: no parser module is imported

    parser.add_argument(
        "--pdf-engine",
        choices=PDF_ENGINES,
        help=f"what reads the page PDFs (default: {default}; pdfium is faster, same articles)",
    )


def _command(
    sub: argparse._SubParsersAction, name: str, func: object, help_text: str
) -> argparse.ArgumentParser:
    """A subcommand whose --help starts with the same one-line description as `baokan --help`."""
    p: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text)
    # SUPPRESS: -q/-v given before the subcommand are not reset by the subcommand's defaults.
    _add_verbosity(p, argparse.SUPPRESS)
    p.set_defaults(func=func)
    return p


def build_parser() -> argparse.ArgumentParser:
    """Argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="baokan",
        description="Scrape, parse, deduplicate and load Chinese e-paper issues (电子报).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=_version())
    _add_verbosity(parser, False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _command(sub, "demo", cmd_demo, "serve the bundled sample e-paper and ingest it end to end")
    _command(sub, "sites", cmd_sites, "list the configured site profiles")
    for name, func, help_text in (
        ("ingest", cmd_ingest, "crawl, parse, dedup and load a date range of issues"),
        ("reparse", cmd_reparse, "parse, dedup and load a date range again from raw, offline"),
    ):
        p = _command(sub, name, func, help_text)
        p.add_argument("site", help="site profile id (see `baokan sites`)")
        p.add_argument("--date", required=True, type=iso_date, help="issue date, YYYY-MM-DD")
        p.add_argument("--until", type=iso_date, help="last issue date of a range (inclusive)")
        p.add_argument(
            "--parse-workers",
            type=positive_int,
            metavar="N",
            help="processes parsing issues ahead of dedup and load (default: "
            "$BAOKAN_PARSE_WORKERS, else one per CPU; 1 parses in this process)",
        )
        p.add_argument(
            "--load-batch",
            type=positive_int,
            metavar="N",
            help="issues loaded per warehouse transaction (default: $BAOKAN_LOAD_BATCH, else 1)",
        )
        if name == "ingest":
            p.add_argument("--base-url", help="fetch from this mirror instead of the site's host")
            p.add_argument(
                "--force", action="store_true", help="re-fetch issues already complete in raw"
            )
            p.add_argument(
                "--crawl-concurrency",
                type=positive_int,
                metavar="N",
                help="requests in flight against a loopback --base-url (a real site: only fewer "
                "than its polite 4 per host); default $BAOKAN_CRAWL_CONCURRENCY, else 8, 4 per host",
            )
            p.add_argument(
                "--stage-times",
                metavar="PATH",
                help="write wall/CPU time and peak memory per stage (crawl, parse, dedup, load) "
                "as JSON to PATH (also $BAOKAN_STAGE_TIMES)",
            )
        _add_pdf_engine(p, "the profile's pdf_engine")
    p = _command(sub, "parse-pdf", cmd_parse_pdf, "parse one page PDF into articles and ads")
    p.add_argument("file", help="a page PDF")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    _add_pdf_engine(p, "pdfplumber")
    p = _command(sub, "eval-pdf", cmd_eval_pdf, "score the PDF parser on a ground-truth corpus")
    p.add_argument("corpus", nargs="?", default="tests/pdf_corpus", help="corpus directory")
    _add_pdf_engine(p, "pdfplumber")
    p = _command(sub, "export", cmd_export, "export the marts to Parquet files")
    p.add_argument("--format", choices=["parquet"], default="parquet")
    p.add_argument("--out", help="output directory (default: $BAOKAN_DATA_DIR/export)")
    p.add_argument(
        "--partitioned",
        action="store_true",
        help="one directory per mart, partitioned site_id=…/year=… (for large warehouses)",
    )
    p = _command(sub, "sql", cmd_sql, "run SQL on the warehouse, or open a SQL prompt")
    p.add_argument("query", nargs="?", help="SQL to run (default: a prompt, or stdin's script)")
    p.add_argument("--csv", action="store_true", help="CSV on stdout instead of a table")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `baokan` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except UsageError as exc:
        print(f"baokan {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("baokan: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (ValueError, OSError, RuntimeError, LookupError) as exc:
        print(f"baokan: error: {exc}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
