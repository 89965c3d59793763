"""Backfills: one range or day by day, one parse process or a pool, give the same warehouse.

The replica is three days of scripts/bench_backfill.py's paper (8 dense pages a day, with
reprints), served on 127.0.0.1 and ingested through the real `baokan` command.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from baokan.serve import serve_directory

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import bench_backfill as bb  # noqa: E402
import make_sample  # noqa: E402

from baokan.rawzone import RawZone  # noqa: E402

DAYS = [bb._iso(d) for d in range(3)]
# Columns that say when or in which run a row was written, not what it holds.
RUN_COLUMNS = {"load_run", "loaded_at", "fetched_at"}


@pytest.fixture(scope="module")
def replica(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """Three generated days (root with site/ and sites/) and the URL they are served at."""
    if not make_sample.CJK_FONT_FILE.exists():
        pytest.fail(
            f"generating the replica needs {make_sample.CJK_FONT_FILE}: apt-get install fonts-wqy-zenhei (.ci/run does)"
        )
    out = bb.generate(len(DAYS), tmp_path_factory.mktemp("backfill"), jobs=1)
    with serve_directory(out["root"] / "site") as url:
        yield out["root"], url


def baokan(root: Path, data: Path, *args: str, wait: bool = True) -> Any:
    """The installed `baokan` command on the replica's profile, its own data dir and DuckDB."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOKAN_")}
    env.update(
        BAOKAN_DATA_DIR=str(data),
        BAOKAN_WAREHOUSE=f"duckdb:///{data / 'wh.duckdb'}",
        BAOKAN_SITES_DIR=str(root / "sites"),
    )
    cmd = [str(Path(sys.executable).with_name("baokan")), *args]
    if not wait:
        return subprocess.Popen(
            cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def contents(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every warehouse table's rows, sorted, without run ids and timestamps."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' ORDER BY 1, 2"
        ).fetchall()
        out = {}
        for schema, name in tables:
            cols = con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
                [schema, name],
            ).fetchall()
            keep = [c for c, t in cols if c not in RUN_COLUMNS and "TIMESTAMP" not in t]
            select = ", ".join(f'"{c}"' for c in keep)
            rows = con.execute(f'SELECT {select} FROM "{schema}"."{name}"').fetchall()
            out[f"{schema}.{name}"] = sorted(rows, key=repr)
        return out
    finally:
        con.close()


def assert_same(a: dict[str, list[tuple[Any, ...]]], b: dict[str, list[tuple[Any, ...]]]) -> None:
    """Same tables, same rows; a difference is shown by table, not as one huge diff."""
    assert sorted(a) == sorted(b)
    for table in a:
        assert a[table] == b[table], f"{table} differs"


@pytest.fixture(scope="module")
def as_range(replica: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three days ingested as one range, parsed by a pool of two workers."""
    root, url = replica
    data = tmp_path_factory.mktemp("range")
    first, last = DAYS[0], DAYS[-1]
    baokan(root, data, "ingest", bb.SITE_ID, "--date", first, "--until", last,
           "--base-url", url, "--parse-workers", "2")  # fmt: skip
    return data


def test_the_range_loads_every_article_and_finds_the_reprints(as_range: Path) -> None:
    con = duckdb.connect(str(as_range / "wh.duckdb"), read_only=True)
    try:
        pages, articles = con.execute(
            "SELECT (SELECT count(*) FROM core.pages), (SELECT count(*) FROM core.articles)"
        ).fetchall()[0]
        shared = con.execute(
            "SELECT count(*) FROM (SELECT cluster_id FROM core.articles GROUP BY cluster_id "
            "HAVING count(DISTINCT issue_date) > 1)"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert pages == 8 * len(DAYS)
    assert articles >= 7 * pages - 2 * len(DAYS)  # ~8 a page, 7 on the two ad pages
    assert shared > 0  # reprints of day 1 on days 2 and 3 share its clusters


def test_day_by_day_gives_the_same_warehouse(
    replica: tuple[Path, str], as_range: Path, tmp_path: Path
) -> None:
    root, url = replica
    for day in DAYS:
        baokan(root, tmp_path, "ingest", bb.SITE_ID, "--date", day, "--base-url", url)
    assert_same(contents(as_range / "wh.duckdb"), contents(tmp_path / "wh.duckdb"))


def test_one_parse_worker_gives_the_same_warehouse_as_two(
    replica: tuple[Path, str], as_range: Path, tmp_path: Path
) -> None:
    root, _ = replica
    shutil.copytree(as_range / "raw", tmp_path / "raw")
    baokan(root, tmp_path, "reparse", bb.SITE_ID, "--date", DAYS[0], "--until", DAYS[-1],
           "--parse-workers", "1")  # fmt: skip
    assert_same(contents(as_range / "wh.duckdb"), contents(tmp_path / "wh.duckdb"))


def test_stage_times_are_written_when_asked(
    replica: tuple[Path, str], as_range: Path, tmp_path: Path
) -> None:
    root, _ = replica
    shutil.copytree(as_range / "raw", tmp_path / "raw")
    times = tmp_path / "times.json"
    done = baokan(root, tmp_path, "ingest", bb.SITE_ID, "--date", DAYS[0], "--until", DAYS[1],
                  "--base-url", "http://127.0.0.1:9/", "--stage-times", str(times))  # fmt: skip
    import json

    stages = json.loads(times.read_text())["stages"]
    assert {s: stages[s]["count"] for s in ("parse", "dedup", "load")} == dict.fromkeys(
        ("parse", "dedup", "load"), 2
    )
    assert all(stages[s]["cpu_s"] > 0 and stages[s]["peak_rss_mb"] > 0 for s in ("parse", "load"))
    assert "stage" not in done.stdout + done.stderr  # nothing printed about it


def test_ctrl_c_during_pool_parse_exits_130_and_leaves_no_worker(
    replica: tuple[Path, str], tmp_path: Path
) -> None:
    root, url = replica
    proc = baokan(root, tmp_path, "ingest", bb.SITE_ID, "--date", DAYS[0], "--until", DAYS[-1],
                  "--base-url", url, "--parse-workers", "2", wait=False)  # fmt: skip
    deadline = time.monotonic() + 120
    while not (tmp_path / "raw").exists() or not _workers(tmp_path):
        assert time.monotonic() < deadline and proc.poll() is None, "parsing never started"
        time.sleep(0.2)
    time.sleep(1.0)  # the workers are busy parsing
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "baokan: interrupted" in err
    assert "Traceback" not in err
    assert not _workers(tmp_path)


def _workers(data: Path) -> list[int]:
    """Processes other than the CLI itself whose environment names this data dir (pool workers)."""
    found = []
    needle = f"BAOKAN_DATA_DIR={data}".encode()
    for entry in Path("/proc").iterdir():
        try:
            environ = (entry / "environ").read_bytes()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0") and b"multiprocessing" in cmdline:
            found.append(int(entry.name))
    return found


def test_a_parse_worker_that_dies_fails_only_its_issue(
    replica: tuple[Path, str], as_range: Path, tmp_path: Path
) -> None:
    """A pool worker killed while it reads a page of the middle day: that day is reported
    failed by name, the other two load again, and the middle day's earlier load stays."""
    root, _ = replica
    shutil.copytree(as_range / "raw", tmp_path / "raw")
    shutil.copy(as_range / "wh.duckdb", tmp_path / "wh.duckdb")
    zone = RawZone(tmp_path / "raw")
    sha = _a_page_pdf(zone, DAYS[1])
    assert all(sha not in {r.sha256 for r in zone.read_manifest(bb.SITE_ID, d)} for d in DAYS[::2])
    fifo = zone.object_path(sha)
    fifo.unlink()
    os.mkfifo(fifo)  # a worker that opens the page blocks in read() until it is killed
    killed: list[bytes] = []
    stop = threading.Event()
    killer = threading.Thread(target=_kill_readers, args=(fifo, killed, stop), daemon=True)
    killer.start()
    proc = baokan(root, tmp_path, "reparse", bb.SITE_ID, "--date", DAYS[0], "--until", DAYS[-1],
                  "--parse-workers", "2", wait=False)  # fmt: skip
    try:
        out, err = proc.communicate(timeout=600)
    finally:
        stop.set()
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))  # lets a waiting open() return
        killer.join(timeout=10)
    # Killed twice at least: in the shared pool, then when parsed again alone.
    assert len(killed) >= 2 and all(b"multiprocessing" in cmd for cmd in killed), killed
    assert proc.returncode == 1, out + err
    assert (
        f"FAILED {bb.SITE_ID} {DAYS[1]}: BrokenProcessPool: parse worker process died "
        "(crashed or killed) while parsing this issue: worker exited with SIGKILL"
    ) in err
    assert f"baokan: 1 of 3 issues not complete ({bb.SITE_ID} {DAYS[1]})" in err
    assert "Traceback" not in err
    for day in DAYS[::2]:
        assert f"{bb.SITE_ID} {day}: complete" in out
    # The other days loaded again to the same rows, and the dead worker's day kept its old ones.
    before, after = contents(as_range / "wh.duckdb"), contents(tmp_path / "wh.duckdb")
    loaded = [str(row[1]) for row in before.pop("core.load_runs")]  # one load run per issue
    assert sorted(str(row[1]) for row in after.pop("core.load_runs")) == sorted(loaded + DAYS[::2])
    assert_same(before, after)
    assert not _workers(tmp_path)


def _a_page_pdf(zone: RawZone, day: str) -> str:
    """The sha256 of one page PDF the day's manifest lists."""
    rows = zone.read_manifest(bb.SITE_ID, day)
    pdfs = [r.sha256 for r in rows if r.kind == "pdf" and r.sha256]
    assert pdfs, rows
    return pdfs[len(pdfs) // 2]


def _kill_readers(fifo: Path, killed: list[bytes], stop: threading.Event) -> None:
    """Whenever a process opens the FIFO to read it, SIGKILL that process (noting its cmdline)."""
    while not stop.is_set():
        fd = os.open(fifo, os.O_WRONLY)  # returns once a reader has opened it
        try:
            deadline = time.monotonic() + 10
            while not stop.is_set() and time.monotonic() < deadline:
                readers = _holders(fifo)
                if readers:
                    for pid, cmdline in readers:
                        os.kill(pid, signal.SIGKILL)
                        killed.append(cmdline)
                    break
                time.sleep(0.01)  # the reader's descriptor may not be installed yet
        finally:
            os.close(fd)  # after the kill: closing first would give the reader an EOF


def _holders(path: Path) -> list[tuple[int, bytes]]:
    """Other processes with `path` open, and their command lines."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            fds = list((entry / "fd").iterdir())
            cmdline = (entry / "cmdline").read_bytes()
            # A process already killed may hold the FIFO while it exits, its cmdline gone.
            if cmdline and any(os.readlink(fd) == os.path.realpath(path) for fd in fds):
                found.append((int(entry.name), cmdline))
        except OSError:
            continue
    return found
