"""The command line as an operator meets it: exit statuses, messages, progress, SQL, export."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from baokan.config import Settings
from baokan.demo import sample_dates
from warehouse.schema import MARTS

DAY = sample_dates()[0]


def baokan(
    *args: str, data: Path, warehouse: str | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed `baokan` command with its own data dir (no terminal: progress as lines)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOKAN_")}
    env["BAOKAN_DATA_DIR"] = str(data)
    env["BAOKAN_WAREHOUSE"] = warehouse or f"duckdb:///{data / 'wh.duckdb'}"
    exe = Path(sys.executable).with_name("baokan")
    return subprocess.run(
        [str(exe), *args], env=env, capture_output=True, text=True, timeout=300, input=stdin
    )


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory, crawled: Settings) -> Path:
    """A data dir holding the crawled sample and a DuckDB warehouse with both issues."""
    data = tmp_path_factory.mktemp("cli") / "data"
    shutil.copytree(crawled.raw_dir, data / "raw")
    for day in sample_dates():
        done = baokan("reparse", "sample", "--date", day, data=data)
        assert done.returncode == 0, done.stderr
    return data


def test_ingest_exits_1_when_every_issue_failed(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/"
    done = baokan("ingest", "sample", "--date", DAY, "--base-url", url, data=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"sample {DAY}: failed" in done.stdout
    assert "Connection was refused" in done.stdout  # the cause, with the URL it concerns
    assert f"1 of 1 issues not complete ({DAY} failed)" in done.stderr


def test_ingest_exits_0_on_a_day_without_issue(tmp_path: Path, sample_url: str) -> None:
    done = baokan(
        "ingest", "sample", "--date", "2025-12-30", "--base-url", sample_url, data=tmp_path
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2025-12-30: missing" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2025-13-01"], "argument --date: invalid date '2025-13-01': month must be in"),
        (["--date", "yesterday"], "argument --date: invalid date 'yesterday'"),
        (["--date", DAY, "--until", "2025-02-30"], "argument --until: invalid date '2025-02-30'"),
        (["--date", "2026-01-05", "--until", "2026-01-01"], "--until 2026-01-01 is before --date"),
        (["--date", "2099-01-01"], "2099-01-01 is after today ("),
    ],
)
def test_bad_dates_are_usage_errors_naming_flag_and_value(
    tmp_path: Path, args: list[str], message: str
) -> None:
    done = baokan("ingest", "sample", *args, data=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "raw").exists()  # refused before anything ran


def test_unknown_site_is_a_usage_error(tmp_path: Path) -> None:
    done = baokan("reparse", "nosuchpaper", "--date", DAY, data=tmp_path)
    assert done.returncode == 2
    assert "unknown site 'nosuchpaper' (known: " in done.stderr


def test_version_and_one_line_help_for_every_subcommand(tmp_path: Path) -> None:
    from baokan import PARSER_VERSION
    from baokan.cli import build_parser

    done = baokan("--version", data=tmp_path)
    assert done.returncode == 0 and f"(parser {PARSER_VERSION})" in done.stdout
    helped = baokan("--help", data=tmp_path).stdout
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:  # type: ignore[union-attr]
        line = next(ln for ln in helped.splitlines() if ln.strip().startswith(name + " "))
        assert len(line.split(None, 1)[1]) > 10, line
    assert "exit status: 0" in helped


def test_parse_pdf_on_a_directory_is_one_line(tmp_path: Path) -> None:
    done = baokan("parse-pdf", str(tmp_path), data=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert f"{tmp_path} is a directory" in done.stderr


def test_quiet_prints_no_progress_and_long_ranges_print_few_short_lines(
    tmp_path: Path, crawled: Settings, sample_url: str
) -> None:
    shutil.copytree(crawled.raw_dir, tmp_path / "raw")
    quiet = baokan("-q", "reparse", "sample", "--date", DAY, data=tmp_path)
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""
    # 40 days, two of them with an issue: progress must not list every date or every day.
    done = baokan(
        "ingest", "sample", "--date", "2025-12-01", "--until", "2026-01-09",
        "--base-url", sample_url, data=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    progress = [ln for ln in done.stderr.splitlines() if ln.startswith("  … ")]
    assert 2 <= len(progress) <= 25, done.stderr
    assert max(len(ln) for ln in done.stderr.splitlines()) < 200
    assert "[40/40]" in done.stderr


def test_a_long_failed_range_is_summed_up_in_one_short_line(tmp_path: Path) -> None:
    done = baokan(
        "reparse", "sample", "--date", "2025-12-01", "--until", "2025-12-20", data=tmp_path
    )
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("baokan: 20 of 20 issues not complete (sample 2025-12-01, ")
    assert len(last) < 200, last


def test_sql_query_csv_and_script_on_duckdb(loaded: Path) -> None:
    done = baokan("sql", "SELECT count(*) AS n FROM marts.articles", data=loaded)
    assert done.returncode == 0, done.stderr
    assert " 18 " in done.stdout
    done = baokan("sql", "--csv", "SELECT title FROM marts.articles ORDER BY title", data=loaded)
    titles = done.stdout.splitlines()
    assert titles[0] == "title" and len(titles) == 19
    script = "SELECT 1 AS a; SELECT 'x;y' AS b;"
    done = baokan("sql", "--csv", data=loaded, stdin=script)
    assert done.stdout.split() == ["a", "1", "b", "x;y"]
    done = baokan("sql", "SELECT nope FROM marts.articles", data=loaded)
    assert done.returncode == 1
    assert done.stderr.startswith("baokan: error: SELECT nope FROM marts.articles: ")


def test_sql_on_postgresql(tmp_path: Path, pg_url: str, crawled: Settings) -> None:
    shutil.copytree(crawled.raw_dir, tmp_path / "raw")
    assert (
        baokan("reparse", "sample", "--date", DAY, data=tmp_path, warehouse=pg_url).returncode == 0
    )
    done = baokan("sql", "--csv", "SELECT count(*) AS n FROM marts.articles", data=tmp_path,
                  warehouse=pg_url)  # fmt: skip
    assert done.stdout.split() == ["n", "9"], done.stderr


def test_dataframes_from_the_warehouse(loaded: Path) -> None:
    con = duckdb.connect(str(loaded / "wh.duckdb"), read_only=True)
    try:
        assert con.sql("SELECT title FROM marts.articles").pl().height == 18
        assert len(con.sql("SELECT title FROM marts.articles").df()) == 18
    finally:
        con.close()


def test_export_partitioned_by_site_and_year_without_warnings(loaded: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    done = baokan("export", "--partitioned", "--out", str(out), data=loaded)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    years = {p.name for p in (out / "articles" / "site_id=sample").iterdir()}
    assert years == {f"year={d[:4]}" for d in sample_dates()}
    con = duckdb.connect()
    for mart in MARTS:
        files = f"{out / mart.name.split('.')[1]}/**/*.parquet"
        got = con.execute(f"SELECT count(*) FROM read_parquet('{files}', hive_partitioning=true)")
        assert got.fetchall() == count_rows(loaded, mart.name), mart.name
    sites = con.execute(
        f"SELECT DISTINCT site_id, year FROM read_parquet('{out}/articles/**/*.parquet', "
        "hive_partitioning=true)"
    ).fetchall()
    assert {s for s, _ in sites} == {"sample"}
    import polars as pl

    frame = pl.scan_parquet(f"{out}/articles/**/*.parquet", hive_partitioning=True).collect()
    assert frame.height == 18 and set(frame["site_id"]) == {"sample"}
    # A second export replaces the directories whole.
    assert baokan("export", "--partitioned", "--out", str(out), data=loaded).returncode == 0
    assert not list(out.glob("*.tmp")) and not list(out.glob("*.old"))


def count_rows(data: Path, table: str) -> list[tuple[int, ...]]:
    """Rows of a warehouse table, read with a read-only connection."""
    want = duckdb.connect(str(data / "wh.duckdb"), read_only=True)
    try:
        return want.execute(f"SELECT count(*) FROM {table}").fetchall()
    finally:
        want.close()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """An HTTP server on 127.0.0.1 that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_ctrl_c_stops_cleanly(tmp_path: Path, silent_server: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOKAN_")}
    env["BAOKAN_DATA_DIR"] = str(tmp_path)
    exe = Path(sys.executable).with_name("baokan")
    proc = subprocess.Popen(
        [str(exe), "ingest", "sample", "--date", DAY, "--base-url", silent_server],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob("logs/crawl-*.log")) and time.monotonic() < deadline:
        time.sleep(0.2)  # the crawl has started
    time.sleep(1)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "baokan: interrupted" in err
    assert "Traceback" not in err


def test_the_query_the_demo_suggests_runs_in_baokan_sql(loaded: Path) -> None:
    from baokan.demo import EXAMPLE_SQL

    done = baokan("sql", "--csv", data=loaded, stdin=EXAMPLE_SQL)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 19  # header and the 18 articles
