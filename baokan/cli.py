"""The `baokan` command line."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path


def _progress(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


def cmd_demo(args: argparse.Namespace) -> int:
    """Serve the bundled sample e-paper and ingest it end to end."""
    from baokan.demo import run_demo

    result = run_demo()
    return 1 if result.failures else 0


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


def _print_issues(issues: list[dict], failures: list[str]) -> int:
    for issue in issues:
        print(
            f"{issue['site_id']} {issue['issue_date']}: {issue['status']}, "
            f"{issue['pages_parsed']}/{issue['pages_listed']} pages, {issue['articles']} articles, "
            f"{issue['ads']} ads, {issue['problems']} problems"
        )
        for detail in issue["problem_details"]:
            print(f"  - {detail}")
    for failure in failures:
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if failures else 0


def cmd_ingest(args: argparse.Namespace) -> int:
    """Crawl, parse, dedup and load a date range."""
    from baokan.ingest import date_range, ingest

    result = ingest(
        args.site,
        date_range(args.date, args.until),
        base_url=args.base_url,
        progress=_progress,
        force=args.force,
    )
    if result.crawl:
        from baokan.crawl import format_stats

        print(format_stats(result.crawl["stats"]))
    return _print_issues(result.issues, result.failures)


def cmd_reparse(args: argparse.Namespace) -> int:
    """Re-parse, dedup and re-load a date range from the raw zone, without the network."""
    from baokan.ingest import date_range, ingest

    result = ingest(args.site, date_range(args.date, args.until), crawl=False, progress=_progress)
    return _print_issues(result.issues, result.failures)


def cmd_parse_pdf(args: argparse.Namespace) -> int:
    """Parse one page PDF into articles and ads."""
    from parsers.pdf_page import parse_pdf

    pages = parse_pdf(Path(args.file).read_bytes(), args.file)
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
    print(format_report(evaluate(corpus), verbose=not args.quiet))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export the marts of BAOKAN_WAREHOUSE to files."""
    from baokan.config import Settings
    from warehouse import open_warehouse
    from warehouse.export import export_marts

    settings = Settings.from_env()
    out = Path(args.out) if args.out else settings.data_dir / "export"
    with open_warehouse(settings.warehouse) as store:
        written = export_marts(store, out, args.format)
    for path, rows in written.items():
        print(f"{path}  {rows} rows")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="baokan", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="ingest the bundled sample e-paper").set_defaults(func=cmd_demo)
    sub.add_parser("sites", help="list configured sites").set_defaults(func=cmd_sites)
    for name, func, help_text in (
        ("ingest", cmd_ingest, "crawl and ingest a date range"),
        ("reparse", cmd_reparse, "re-parse a date range from raw"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("site")
        p.add_argument("--date", required=True, help="issue date, YYYY-MM-DD")
        p.add_argument("--until", help="last issue date of a range (inclusive)")
        if name == "ingest":
            p.add_argument("--base-url", help="fetch from this mirror instead of the site's host")
            p.add_argument(
                "--force", action="store_true", help="re-fetch issues already complete in raw"
            )
        p.set_defaults(func=func)
    p = sub.add_parser("parse-pdf", help="parse one page PDF")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_parse_pdf)
    p = sub.add_parser("eval-pdf", help="score the PDF parser on a ground-truth corpus")
    p.add_argument("corpus", nargs="?", default="tests/pdf_corpus", help="corpus directory")
    p.add_argument("--quiet", action="store_true", help="totals only, no per-article lines")
    p.set_defaults(func=cmd_eval_pdf)
    p = sub.add_parser("export", help="export the marts to files")
    p.add_argument("--format", choices=["parquet"], default="parquet")
    p.add_argument("--out", help="output directory (default: $BAOKAN_DATA_DIR/export)")
    p.set_defaults(func=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `baokan` console script."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (ValueError, FileNotFoundError, RuntimeError) as exc:
        print(f"baokan: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
