"""The spider child never outlives `baokan ingest`, and one issue is crawled by one run at a time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from baokan.config import Settings
from baokan.ingest import ingest
from baokan.rawzone import RawZone
from tests.replica import Behaviour, serve

DAY = "2025-12-29"
ENTRY = "pc/layout/202512/29/node_A1.html"


def _ingest(url: str) -> subprocess.Popen[bytes]:
    """`baokan ingest` in a process of its own (the environment names the data dir)."""
    cmd = [sys.executable, "-m", "baokan.cli", "ingest", "sample", "--date", DAY]
    return subprocess.Popen(
        [*cmd, "--base-url", url], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its reaper counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _scrapy_child(parent: int, timeout: float = 30.0) -> int:
    """The pid of parent's scrapy child, once it has started."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            if ppid == parent and b"scrapy" in cmdline:
                return int(entry.name)
        time.sleep(0.1)
    raise AssertionError(f"no scrapy child of pid {parent} within {timeout} s")


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_the_spider_dies_with_ingest(settings: Settings, site_copy: Path, signum: int) -> None:
    # A server that sits on the issue's first page: the crawl is in flight when we kill.
    with serve(site_copy, Behaviour(delay_first={ENTRY: 60.0})) as (url, _):
        parent = _ingest(url)
        try:
            child = _scrapy_child(parent.pid)
            time.sleep(1.0)  # let the spider start its request
            os.kill(parent.pid, signum)
            parent.wait(timeout=15)
            assert _gone_within(child, 10.0), f"scrapy child {child} outlived its parent"
        finally:
            parent.kill()
            parent.wait()


def test_overlapping_ingests_of_one_issue(settings: Settings, site_copy: Path) -> None:
    with serve(site_copy, Behaviour(delay_first={ENTRY: 4.0})) as (url, _):
        first = _ingest(url)
        try:
            _scrapy_child(first.pid)
            second = ingest("sample", [DAY], base_url=url, settings=settings)
            _, err = first.communicate(timeout=120)
        finally:
            first.kill()
            first.wait()
    lock = settings.raw_dir / "locks" / "sample" / f"{DAY}.lock"
    assert second.failures == [
        f"sample {DAY}: already being crawled by pid {first.pid} (lock {lock})"
    ]
    assert second.issues == []
    assert first.returncode == 0, err.decode()
    assert len(RawZone(settings.raw_dir).read_manifest("sample", DAY)) == 15
    db = settings.warehouse.removeprefix("duckdb:///")
    with duckdb.connect(db, read_only=True) as con:
        count = con.execute("SELECT count(*) FROM marts.articles WHERE issue_date = ?", [DAY])
        assert count.fetchone() == (9,)
