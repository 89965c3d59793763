#!/usr/bin/env python3
"""Backfill benchmark: N days of a daily 8-page new-style Founder paper through `baokan ingest`.

Generates (once, cached per day under data/bench-backfill/<key>/) a replica of the paper with
make_sample's typesetter: 8 page PDFs per issue, each its own text (3,000–6,000 characters,
4–6 columns, ~8 articles), reprints (an earlier article again, sometimes edited) and the
recurring subscription ad. Serves it with a separate `python -m http.server`, then runs the
real CLI in a subprocess per variant and backend, each into a fresh data dir and warehouse,
and prints per-stage wall / CPU / peak memory (from `baokan ingest --stage-times`) plus the
whole process tree's peak RSS sampled from outside.

    .venv/bin/python scripts/bench_backfill.py [--days 365] [--backend duckdb|postgresql|both]
        [--variant NAME:ARGS ...]   e.g. --variant serial:--parse-workers=1 --variant pool:
        [--pg-database bench_backfill] [--keep]

The PostgreSQL warehouse (database --pg-database, made afresh for each variant) is dropped
at the end unless --keep is given.

Each --variant is a name and the extra `baokan ingest` arguments (split like a shell line);
variants run in sequence in this invocation, so their ratios are what to compare.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import multiprocessing
import os
import random
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_sample as ms  # noqa: E402  the typesetter, page/article HTML and the ad

# Line breaking measures the same tokens over and over; widths never change, so cache them
# (make_sample calls token_width through its module globals, so this speeds all of it up).
ms.token_width = functools.lru_cache(maxsize=None)(ms.token_width)

GEN_VERSION = 1  # bump when the generated replica changes: the cache key includes it
START = date(2025, 1, 1)
SITE_ID = "bench"
LABELS = tuple(f"A{n}" for n in range(1, 9))
SECTIONS = ("要闻", "综合", "园区", "创新", "产业", "区域", "观察", "专刊")
EDITORS = ("周岚", "孙岩", "何静", "林蔚", "赵宁", "刘洋", "陈曦", "吴桐")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "明华伟芳敏静丽强磊军洋勇艳杰娟涛超秀霞平刚桂英岚宁悦曦桐岩蔚"
REPRINT_SHARE = 0.06  # of article slots: an article from 1–30 days before, maybe edited
# Articles per slot class: (paragraphs, characters per paragraph).
CLASSES = {"lead": ((4, 6), (130, 170)), "mid": ((3, 4), (120, 150)), "short": ((2, 3), (80, 110))}
# Page templates: rows of cells (grid units, ((class, columns), ...) stacked); 4–6 columns.
Template = tuple[tuple[tuple[int, tuple[tuple[str, int], ...]], ...], ...]
TEMPLATES: tuple[Template, ...] = (
    (  # 6 columns
        ((12, (("lead", 6),)),),
        ((4, (("short", 2),)), (4, (("short", 2),)), (4, (("short", 2),))),
        ((6, (("mid", 3),)), (6, (("mid", 3),))),
        ((6, (("short", 3),)), (6, (("short", 3),))),
    ),
    (  # 4 columns
        ((12, (("lead", 4),)),),
        ((6, (("mid", 2),)), (6, (("mid", 2),))),
        ((3, (("short", 1),)), (3, (("short", 1),)), (6, (("short", 2),))),
        ((6, (("short", 2),)), (6, (("short", 2),))),
    ),
    (  # 5 columns over 6
        ((12, (("lead", 5),)),),
        ((6, (("mid", 3),)), (6, (("mid", 3),))),
        ((4, (("short", 2),)), (4, (("short", 2),)), (4, (("short", 2),))),
        ((6, (("short", 3),)), (6, (("short", 3),))),
    ),
)
# A1 and A8: one article fewer and the subscription ad across the foot.
AD_TEMPLATE: Template = (
    ((12, (("lead", 6),)),),
    ((3, (("short", 1),)), (3, (("short", 1),)), (3, (("short", 1),)), (3, (("short", 1),))),
    ((6, (("mid", 3),)), (6, (("mid", 3),))),
)


# ------------------------------------------------------------------------ generating text


def _vocabulary() -> list[str]:
    """Two-character words cut from the sample's real and fictional articles."""
    text = "".join(p for art in ms.ARTICLES.values() for p in art.paragraphs)
    han = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    words = {"".join(han[i : i + 2]) for i in range(0, len(han) - 1)}
    return sorted(w for w in words if not set(w) & set("广告启事声明"))


WORDS = _vocabulary()


def sentence(rng: random.Random, chars: int) -> str:
    """Words up to about `chars` characters, commas between phrases, a full stop at the end."""
    out: list[str] = []
    n = 0
    while n < chars:
        phrase = "".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7)))
        out.append(phrase)
        n += len(phrase) + 1
    return "，".join(out) + "。"


def article(serial: int) -> tuple[str, ms.Article]:
    """Article number `serial` (its class and text depend on nothing else)."""
    rng = random.Random(f"bench-article-{serial}")
    cls = ("lead", "mid", "mid", "short", "short", "short")[serial % 6]
    (p_lo, p_hi), (c_lo, c_hi) = CLASSES[cls]
    paras = tuple(sentence(rng, rng.randint(c_lo, c_hi)) for _ in range(rng.randint(p_lo, p_hi)))
    title = "".join(rng.choice(WORDS) for _ in range(rng.randint(4, 7)))
    author = f"本报记者 {rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.choice(GIVEN)}"
    kicker = "".join(rng.choice(WORDS) for _ in range(3)) if cls == "lead" else None
    return cls, ms.Article(title=title, author=author, paragraphs=paras, kicker=kicker)


def edited(art: ms.Article, rng: random.Random) -> ms.Article:
    """A reprint as desks edit it: last paragraph cut, or one sentence rewritten."""
    if len(art.paragraphs) > 2 and rng.random() < 0.5:
        return replace(art, paragraphs=art.paragraphs[:-1])
    i = rng.randrange(len(art.paragraphs))
    paras = list(art.paragraphs)
    paras[i] = paras[i][: len(paras[i]) // 2] + sentence(rng, 20)
    return replace(art, paragraphs=tuple(paras))


def day_articles(day: int, classes: list[str]) -> list[tuple[str, ms.Article]]:
    """The issue's articles for its slot classes: fresh serials, some earlier ones reprinted."""
    out = []
    for slot, cls in enumerate(classes):
        rng = _slot_rng(day, slot)
        if not _is_reprint(day, slot):
            out.append((f"a{_serial_of(day, slot, cls)}", article(_serial_of(day, slot, cls))[1]))
            continue
        rng.random()  # the draw _is_reprint made
        earlier = max(0, day - rng.randint(1, 30))
        printed = [
            s for s, c in enumerate(_plans(earlier)[1]) if c == cls and not _is_reprint(earlier, s)
        ]
        serial = _serial_of(earlier, rng.choice(printed), cls)
        art = article(serial)[1]
        out.append((f"r{serial}", edited(art, rng) if rng.random() < 0.5 else art))
    return out


def _slot_rng(day: int, slot: int) -> random.Random:
    return random.Random(f"bench-slot-{day}-{slot}")


def _is_reprint(day: int, slot: int) -> bool:
    """Whether slot `slot` of day `day` reprints an earlier article (never on the first day)."""
    return day > 0 and _slot_rng(day, slot).random() < REPRINT_SHARE


def _plans(day: int) -> tuple[list[Template], list[str]]:
    """The day's page templates and its slots' classes, in page order."""
    rng = random.Random(f"bench-layout-{day}")
    plans = [AD_TEMPLATE if label in ("A1", "A8") else rng.choice(TEMPLATES) for label in LABELS]
    return plans, [c for t in plans for row in t for _, slots in row for c, _ in slots]


def _serial_of(day: int, slot: int, cls: str) -> int:
    """A serial of class `cls` unique to (day, slot): serial % 6 picks the class."""
    offset = {"lead": 0, "mid": 1, "short": 3}[cls]
    return (day * 64 + slot) * 6 + offset


# ------------------------------------------------------------------------ building pages


def page_specs(day: int) -> list[tuple[ms.PageSpec, list[str]]]:
    """The issue's 8 pages: layout spec and the ARTICLES keys placed on it, in order."""
    plans, classes = _plans(day)
    arts = day_articles(day, classes)
    out, k = [], 0
    for n, (label, plan) in enumerate(zip(LABELS, plans, strict=True)):
        keys: list[str] = []
        rows = []
        for row in plan:
            cells = []
            for units, slots in row:
                placed = []
                for _, cols in slots:
                    key, art = arts[k]
                    key = f"{day}-{k}-{key}"
                    ms.ARTICLES[key] = art
                    keys.append(key)
                    placed.append(ms.Slot(key, cols))
                    k += 1
                cells.append(ms.Cell(units, tuple(placed)))
            rows.append(tuple(cells))
        if plan is AD_TEMPLATE:
            rows.append((ms.Cell(12, (ms.Slot(ms.AD),)),))
        out.append((ms.PageSpec(label, SECTIONS[n], EDITORS[n], tuple(rows)), keys))
    return out


def fit(issue: str, spec: ms.PageSpec, keys: list[str]) -> ms.PageLayout:
    """Lay the page out; while it overflows, cut the longest article's last paragraph."""
    while True:
        try:
            return ms.layout_page(issue, spec)
        except AssertionError:
            key = max(keys, key=lambda k: sum(map(len, ms.ARTICLES[k].paragraphs)))
            art = ms.ARTICLES[key]
            if len(art.paragraphs) < 2:
                raise
            ms.ARTICLES[key] = replace(art, paragraphs=art.paragraphs[:-1])


def build_day(args: tuple[Path, int]) -> dict[str, int]:
    """Write one issue (8 PDFs, 8 page index pages, its article pages); return its counts."""
    root, day = args
    ms.register_fonts()
    issue = (START + timedelta(days=day)).isoformat()
    ym, dd = ms.issue_dirs(issue)
    site = root / "site" / "pc"
    pages = page_specs(day)
    specs = tuple(spec for spec, _ in pages)
    cid, chars, articles = (day + 1) * 100, 0, 0
    for spec, keys in pages:
        layout = fit(issue, spec, keys)
        modules = [m for m in layout.modules if m.key != ms.AD]
        items = list(enumerate(modules, start=cid))
        cid += len(items)
        pdf = site / "attachement" / ym / dd / f"{ms.pdf_name(issue, spec.label)}.pdf"
        ms.draw_page(pdf, issue, spec, layout)
        image_h = round(ms.PAGE_H * ms.IMAGE_W / ms.PAGE_W)
        ms.write_text(
            site / "layout" / ym / dd / f"node_{spec.label}.html",
            ms.page_html(issue, spec, specs, items, image_h),
        )
        for n, module in items:
            art = ms.ARTICLES[module.key]
            ms.write_text(
                site / "content" / ym / dd / f"content_{n}.html", ms.content_html(issue, spec, art)
            )
        articles += len(items)
        chars += sum(len(r.text) for m in layout.modules for r in m.block.runs)
        chars += sum(len(r.text) for r in layout.furniture)
    for key in [k for _, keys in pages for k in keys]:
        del ms.ARTICLES[key]
    marker = root / "days" / issue
    marker.parent.mkdir(parents=True, exist_ok=True)
    counts = {"pages": len(pages), "articles": articles, "chars": chars}
    marker.write_text(json.dumps(counts) + "\n", encoding="utf-8")
    return counts


def generate(days: int, cache: Path, jobs: int) -> dict[str, Any]:
    """Build the missing days of the replica (in `jobs` processes); return totals and timing."""
    key = hashlib.sha256(f"v{GEN_VERSION}-{START}".encode()).hexdigest()[:12]
    root = cache / key
    todo = [d for d in range(days) if not (root / "days" / _iso(d)).exists()]
    started = time.monotonic()
    if todo:
        print(f"generating {len(todo)} of {days} days into {root} ({jobs} processes)", flush=True)
        with multiprocessing.get_context("spawn").Pool(jobs) as pool:
            for n, _ in enumerate(pool.imap_unordered(build_day, [(root, d) for d in todo]), 1):
                if n % 30 == 0:
                    print(f"  {n}/{len(todo)} days", flush=True)
    counts = [json.loads((root / "days" / _iso(d)).read_text()) for d in range(days)]
    total = {k: sum(c[k] for c in counts) for k in ("pages", "articles", "chars")}
    sites = root / "sites"
    sites.mkdir(exist_ok=True)
    profile = (ROOT / "baokan" / "profiles" / "sample.toml").read_text(encoding="utf-8")
    (sites / f"{SITE_ID}.toml").write_text(
        profile.replace('id = "sample"', f'id = "{SITE_ID}"'), encoding="utf-8"
    )
    return {
        "root": root,
        **total,
        "generated_days": len(todo),
        "generate_s": round(time.monotonic() - started, 1),
    }


def _iso(day: int) -> str:
    return (START + timedelta(days=day)).isoformat()


# ------------------------------------------------------------------------ running the CLI


@dataclass
class Variant:
    """A named set of extra `baokan ingest` arguments."""

    name: str
    args: list[str]

    @classmethod
    def parse(cls, text: str) -> Variant:
        """NAME:ARGS, ARGS split like a shell line."""
        name, _, rest = text.partition(":")
        return cls(name or "default", shlex.split(rest))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree_rss_mb(pid: int) -> float:
    """Resident set size of a process and all its descendants, in MiB (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            rss[int(entry.name)] = int(stat[21])  # pages
            children.setdefault(int(stat[1]), []).append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_ingest(
    replica: dict[str, Any], url: str, warehouse: str, work: Path, variant: Variant, days: int
) -> dict[str, Any]:
    """One `baokan ingest` of the whole range; stage times, tree peak RSS, exit status."""
    times = work / "stage-times.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOKAN_")}
    env.update(
        BAOKAN_DATA_DIR=str(work / "data"),
        BAOKAN_WAREHOUSE=warehouse,
        BAOKAN_SITES_DIR=str(replica["root"] / "sites"),
        BAOKAN_STAGE_TIMES=str(times),
        PYTHONPATH=str(ROOT),
    )
    exe = Path(sys.executable).with_name("baokan")
    cmd = [str(exe), "-q", "ingest", SITE_ID, "--date", _iso(0), "--until", _iso(days - 1)]
    cmd += ["--base-url", url, *variant.args]
    peak = 0.0
    started = time.monotonic()
    with (work / "ingest.log").open("w") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        while proc.poll() is None:
            peak = max(peak, tree_rss_mb(proc.pid))
            time.sleep(0.1)
    wall = time.monotonic() - started
    if proc.returncode != 0:
        tail = (work / "ingest.log").read_text(errors="replace")[-1500:]
        print(f"  {variant.name}: baokan ingest exited {proc.returncode}:\n{tail}", flush=True)
    stages = json.loads(times.read_text()) if times.exists() else {"stages": {}}
    counts = subprocess.run(
        [str(exe), "sql", "--csv", COUNTS_SQL], env=env, capture_output=True, text=True
    ).stdout.splitlines()
    loaded = dict(zip(*(line.split(",") for line in counts[:2]), strict=False)) if counts else {}
    return {
        "rc": proc.returncode,
        "wall_s": wall,
        "tree_peak_mb": peak,
        "loaded": loaded,
        **stages,
    }


COUNTS_SQL = (
    "SELECT (SELECT count(*) FROM core.pages) AS pages, "
    "(SELECT count(*) FROM core.articles) AS articles, "
    "(SELECT count(DISTINCT cluster_id) FROM core.articles) AS clusters, "
    "(SELECT count(*) FROM core.ads) AS ads"
)


def postgres_url(admin: str, name: str) -> str:
    """Drop and create database `name` on the server of `admin`; return its URL."""
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin.rsplit("/", 1)[0] + "/" + name


def drop_database(admin: str, name: str) -> None:
    """Drop database `name` on the server of `admin` (its connections closed), if it exists."""
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def table(replica: dict[str, Any], run: dict[str, Any], days: int) -> str:
    """Markdown: stage | wall s | CPU s | peak MB | rate, then the total."""
    pages, arts = replica["pages"], replica["articles"]
    lines = ["| stage | wall s | CPU s | peak MB | rate |", "|---|---:|---:|---:|---|"]
    for name in ("crawl", "parse", "dedup", "load"):
        s = run["stages"].get(name)
        if not s:
            continue
        rate = f"{pages / s['wall_s']:.1f} pages/s" if name in ("crawl", "parse") else ""
        rate = rate or f"{arts / s['wall_s']:.0f} articles/s"
        lines.append(
            f"| {name} | {s['wall_s']:.1f} | {s['cpu_s']:.1f} | {s['peak_rss_mb']:.0f} | {rate} |"
        )
    cpu = run.get("cpu_s_self", 0) + run.get("cpu_s_children", 0)
    lines.append(
        f"| **total** | {run['wall_s']:.1f} | {cpu:.1f} | {run['tree_peak_mb']:.0f} | "
        f"{pages / run['wall_s']:.1f} pages/s, {arts / run['wall_s']:.0f} articles/s |"
    )
    waits = run.get("waits", {})
    note = f"; main process waited {waits['parse']:.1f} s on the parse pool" if waits else ""
    got = ", ".join(f"{v} {k}" for k, v in run.get("loaded", {}).items())
    return (
        "\n".join(lines) + f"\n\n{days} days, {pages} pages, {arts} articles{note}; loaded: {got}\n"
    )


NOTE = (
    "Stage wall s is time inside the stage summed over the processes running it (parallel parse "
    "workers add up, so stages can exceed the total); CPU s includes waited-on children (the "
    "spider); stage peak MB is the largest single process's RSS during the stage; the total row's "
    "peak MB is the whole process tree's RSS sampled every 0.1 s, and its wall s the CLI's "
    "elapsed time including start-up."
)


def main() -> int:
    """Generate (or reuse) the replica, serve it, run each variant on each backend."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--backend", choices=("duckdb", "postgresql", "both"), default="both")
    parser.add_argument(
        "--variant", action="append", type=Variant.parse, help="NAME:ARGS (repeatable)"
    )
    parser.add_argument("--cache", type=Path, default=ROOT / "data" / "bench-backfill")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="generator procs")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BAOKAN_TEST_POSTGRES", "postgresql://127.0.0.1:5432/test"),
    )
    parser.add_argument("--pg-database", default="bench_backfill")
    parser.add_argument(
        "--keep", action="store_true", help="keep the last PostgreSQL warehouse (default: dropped)"
    )
    parser.add_argument("--generate-only", action="store_true")
    args = parser.parse_args()
    if not 1 <= args.days <= 700:
        parser.error("--days must be 1–700 (the replica starts 2025-01-01)")
    replica = generate(args.days, args.cache, args.jobs)
    print(
        f"replica: {args.days} days, {replica['pages']} pages, {replica['articles']} articles, "
        f"{replica['chars']} characters ({replica['chars'] / replica['pages']:.0f}/page); "
        f"generated {replica['generated_days']} days in {replica['generate_s']} s",
        flush=True,
    )
    if args.generate_only:
        return 0
    variants = args.variant or [Variant("default", [])]
    backends = ["duckdb", "postgresql"] if args.backend == "both" else [args.backend]
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=replica["root"] / "site",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    results: list[dict[str, Any]] = []
    try:
        time.sleep(1.0)
        for backend in backends:
            for variant in variants:
                with tempfile.TemporaryDirectory(prefix="baokan-backfill-") as tmp:
                    work = Path(tmp)
                    if backend == "duckdb":
                        wh = f"duckdb:///{work / 'warehouse.duckdb'}"
                    else:
                        wh = postgres_url(args.postgres, args.pg_database)
                    print(f"== {backend} / {variant.name} {' '.join(variant.args)}", flush=True)
                    run = run_ingest(
                        replica, f"http://127.0.0.1:{port}/", wh, work, variant, args.days
                    )
                    results.append({"backend": backend, "variant": variant.name, **run})
                    print(table(replica, run, args.days), flush=True)
    finally:
        server.terminate()
        server.wait(timeout=10)
        if "postgresql" in backends:
            if args.keep:
                print(f"kept PostgreSQL database {args.pg_database}", flush=True)
            else:
                drop_database(args.postgres, args.pg_database)
    print(NOTE)
    dest = ROOT / "bench-results" / "backfill.json"
    dest.parent.mkdir(exist_ok=True)
    out = {k: (str(v) if isinstance(v, Path) else v) for k, v in replica.items()}
    dest.write_text(json.dumps({"replica": out, "runs": results}, indent=1) + "\n", "utf-8")
    return 1 if any(r["rc"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
