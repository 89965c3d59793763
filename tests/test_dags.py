"""Tests for the Airflow DAGs in ``dags/``: integrity, structure and ``dag.test()`` runs.

Everything Airflow runs in child interpreters (see ``tests/airflow_support.py``), so this
module never imports ``airflow`` itself and does not depend on test ordering or on the
developer's ``AIRFLOW_*`` environment.
"""

from __future__ import annotations

import itertools
import json
import socket
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pytest

from baokan import steps
from baokan.airflow_tasks import DUCKDB_LOAD_POOL, issue_date_for, redact, warehouse_url
from baokan.config import Settings
from baokan.fsutil import read_json
from baokan.models import IssueRecord
from baokan.quality import check_pages
from baokan.serve import serve_directory
from baokan.sites import load_sites
from tests.airflow_support import (
    HEAVY_MODULES,
    REPO_ROOT,
    airflow_env,
    init_airflow_db,
    inspect_dags,
    run_dag_test,
)
from tests.test_quality import MISSING_PDF, break_issue

REPO = Path(__file__).resolve().parents[1]
PAPER = "baokan_sample"
CHAIN = ("crawl", "list_pages", "parse_page", "reconcile", "dedup", "load", "quality")
# The run at 06:30 Asia/Shanghai on 2025-12-29 is 22:30 UTC on the 28th: the issue date must
# come from the data interval end in the paper's timezone, not from the UTC date.
SCHEDULED_RUN = "2025-12-28T22:30:00+00:00"


@pytest.fixture(scope="module")
def dag_info(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The dags/ folder as parsed by Airflow's DagBag in a fresh interpreter."""
    return inspect_dags(tmp_path_factory.mktemp("airflow_inspect"))


@pytest.fixture(scope="module")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A tmp AIRFLOW_HOME with an initialised SQLite metadata DB and the up scripts' pools."""
    home = tmp_path_factory.mktemp("airflow_home")
    init_airflow_db(home)
    subprocess.run(
        ["bash", "-c", "source scripts/airflow_env.sh && baokan_pools"],
        cwd=REPO_ROOT,
        env=airflow_env(home),
        check=True,
        timeout=120,
    )
    yield home


def _env(tmp_path: Path, warehouse: Path) -> dict[str, str]:
    """Data dir plus the warehouse given by the Airflow connection; BAOKAN_WAREHOUSE is a decoy."""
    conn = {"conn_type": "duckdb", "host": str(warehouse)}
    return {
        "BAOKAN_DATA_DIR": str(tmp_path / "data"),
        "BAOKAN_WAREHOUSE": f"duckdb:///{tmp_path / 'decoy.duckdb'}",
        "AIRFLOW_CONN_BAOKAN_WAREHOUSE": json.dumps(conn),
    }


# --------------------------------------------------------------------------- integrity


def test_dags_folder_imports_cleanly(dag_info: dict[str, Any]) -> None:
    assert dag_info["import_errors"] == {}
    assert dag_info["warnings"] == {}
    expected = {f"baokan_{site}" for site in load_sites()} | {"baokan_marts"}
    assert set(dag_info["dags"]) == expected


def test_a_broken_profile_shows_on_its_own_dag_only(tmp_path: Path) -> None:
    """Broken files in BAOKAN_SITES_DIR: no import error, every other DAG still imports."""
    sites = tmp_path / "sites"
    sites.mkdir()
    good = (REPO / "baokan" / "profiles" / "sample.toml").read_text(encoding="utf-8")
    (sites / "mine.toml").write_text(good.replace('"sample"', '"mine"'), encoding="utf-8")
    (sites / "wrong.toml").write_text(
        good.replace('"sample"', '"wrong"').replace("{dd}", "{date.day}"), encoding="utf-8"
    )
    (sites / "garbled.toml").write_text("id = \n", encoding="utf-8")
    info = inspect_dags(tmp_path / "home", extra_env={"BAOKAN_SITES_DIR": str(sites)})
    assert info["import_errors"] == {}
    assert info["heavy_modules_loaded"] == []
    shipped = {f"baokan_{p.stem}" for p in (REPO / "baokan" / "profiles").glob("*.toml")}
    placeholders = {"baokan_wrong", "baokan_garbled"}
    assert set(info["dags"]) == shipped | {"baokan_mine", "baokan_marts"} | placeholders
    assert set(info["dags"]["baokan_mine"]["tasks"]) == set(CHAIN)
    for dag_id, file, reason in (
        ("baokan_wrong", "wrong.toml", "field 'entry': unknown placeholder {date.day}"),
        ("baokan_garbled", "garbled.toml", "cannot read profile"),
    ):
        dag = info["dags"][dag_id]
        assert dag["description"].startswith(f"BROKEN PROFILE: {sites / file}: {reason}")
        assert "broken-profile" in dag["tags"] and dag["schedule"] is None
        assert dag["is_paused_upon_creation"] is True
        assert list(dag["tasks"]) == ["profile_error"]
    marts = info["dags"]["baokan_marts"]["schedule"]
    assert "baokan://warehouse/mine" in marts and "baokan://warehouse/wrong" not in marts


def test_broken_profile_dag_task_fails_with_the_error(tmp_path: Path, airflow_home: Path) -> None:
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "garbled.toml").write_text("id = \n", encoding="utf-8")
    result = run_dag_test(
        airflow_home, "baokan_garbled", extra_env={"BAOKAN_SITES_DIR": str(sites)}
    )
    assert result["state"] == "failed" and result["tasks"] == {"profile_error": "failed"}
    log = Path(result["log_path"]).read_text(encoding="utf-8", errors="replace")
    assert f"{sites / 'garbled.toml'}: cannot read profile" in log


def test_dag_file_import_stays_thin(dag_info: dict[str, Any]) -> None:
    """Parsing dags/ must not import the pipeline or its heavy dependencies."""
    assert dag_info["heavy_modules_loaded"] == [], HEAVY_MODULES


def test_every_task_tagged_and_retried_with_backoff(dag_info: dict[str, Any]) -> None:
    for dag in dag_info["dags"].values():
        assert "baokan" in dag["tags"] and dag["has_doc_md"]
        for task in dag["tasks"].values():
            assert task["retries"] >= 2
            # Airflow 3.3: a multiplier; 0 (and True == 1.0) means no backoff at all.
            assert task["retry_exponential_backoff"] > 1


def test_paper_dags_follow_their_profiles(dag_info: dict[str, Any]) -> None:
    for site, profile in load_sites().items():
        dag = dag_info["dags"][f"baokan_{site}"]
        assert dag["timetable"] == "CronTriggerTimetable"
        assert f"expression='{profile.schedule}'" in dag["schedule"]
        assert f"timezone='{profile.timezone}'" in dag["schedule"]
        assert dag["timezone"] == profile.timezone
        assert dag["catchup"] is False  # unpausing runs the latest issue, not months of history
        assert dag["max_active_runs"] == 1  # DuckDB: one writer
        assert f"site:{site}" in dag["tags"]
        assert dag["params"] == {"base_url": None, "issue_date": None}
        pools = {t: info["pool"] for t, info in dag["tasks"].items()}
        assert pools == {t: "default_pool" for t in CHAIN} | {"load": DUCKDB_LOAD_POOL}
    marts = dag_info["dags"]["baokan_marts"]["tasks"]
    assert marts["refresh_marts"]["pool"] == DUCKDB_LOAD_POOL


def test_catchup_and_postgresql_settings_from_environment(tmp_path: Path) -> None:
    """BAOKAN_CATCHUP=1 turns history on; on PostgreSQL loads leave the DuckDB pool."""
    env = {"BAOKAN_CATCHUP": "1", "BAOKAN_WAREHOUSE": "postgresql://127.0.0.1:5432/test"}
    info = inspect_dags(tmp_path, extra_env=env)
    assert info["import_errors"] == {}
    for site in load_sites():
        dag = info["dags"][f"baokan_{site}"]
        assert dag["catchup"] is True
        assert dag["max_active_runs"] == 2
        assert {i["pool"] for i in dag["tasks"].values()} == {"default_pool"}
    assert info["dags"]["baokan_marts"]["tasks"]["refresh_marts"]["pool"] == "default_pool"


def test_up_scripts_create_the_duckdb_load_pool(airflow_home: Path) -> None:
    """A task in a missing pool is never scheduled: the pool is there, with one slot."""
    with sqlite3.connect(airflow_home / "airflow.db") as con:
        rows = con.execute("SELECT slots FROM slot_pool WHERE pool = ?", [DUCKDB_LOAD_POOL])
        assert rows.fetchall() == [(1,)]


def test_paper_dag_structure(dag_info: dict[str, Any]) -> None:
    tasks = dag_info["dags"][PAPER]["tasks"]
    assert set(tasks) == set(CHAIN)
    for upstream, downstream in itertools.pairwise(CHAIN):
        assert tasks[downstream]["upstream"] == [upstream]
        assert tasks[upstream]["downstream"] == [downstream]
    assert [t for t, info in tasks.items() if info["mapped"]] == ["parse_page"]
    assert tasks["reconcile"]["trigger_rule"] == "TriggerRule.NONE_FAILED"
    assert tasks["load"]["outlets"] == ["baokan://warehouse/sample"]


def test_marts_dag_scheduled_on_every_paper_asset(dag_info: dict[str, Any]) -> None:
    dag = dag_info["dags"]["baokan_marts"]
    assert dag["timetable"] == "AssetTriggeredTimetable"
    for site in load_sites():
        assert f"uri='baokan://warehouse/{site}'" in dag["schedule"]
    assert dag["tasks"]["cross_paper_dedup"]["upstream"] == ["refresh_marts"]


# --------------------------------------------------------------------------- helpers


class _Run:
    run_after = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)


class _Dag:
    timezone = ZoneInfo("Asia/Shanghai")


def test_issue_date_from_data_interval_end_in_paper_timezone() -> None:
    end = datetime.fromisoformat(SCHEDULED_RUN)
    context = {"params": {}, "data_interval_end": end, "dag_run": _Run(), "dag": _Dag()}
    assert issue_date_for(context) == "2025-12-29"
    assert issue_date_for({**context, "params": {"issue_date": "2026-01-05"}}) == "2026-01-05"
    assert issue_date_for({**context, "data_interval_end": None}) == "2026-01-05"


def test_warehouse_url_from_connection_fields() -> None:
    pg = warehouse_url("postgres", "db.internal", 5432, "etl", "s3cr:t", "baokan", {})
    assert pg == "postgresql://etl:s3cr%3At@db.internal:5432/baokan"
    assert redact(pg) == "postgresql://etl:***@db.internal:5432/baokan"
    assert warehouse_url("duckdb", "/srv/wh.duckdb", None, None, None, None, {}) == (
        "duckdb:////srv/wh.duckdb"
    )
    assert warehouse_url("generic", None, None, None, None, None, {"url": "duckdb:///x"}) == (
        "duckdb:///x"
    )
    with pytest.raises(ValueError, match="'baokan_warehouse': conn_type 'http'"):
        warehouse_url("http", "h", None, None, None, None, {})


# --------------------------------------------------------------------------- dag.test()


def _articles(warehouse: Path, issue_date: str) -> list[tuple[str, str]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "SELECT title, body FROM marts.articles"
            " WHERE site_id = 'sample' AND CAST(issue_date AS VARCHAR) = ?",
            [issue_date],
        ).fetchall()


def test_dag_test_end_to_end_then_marts(
    airflow_home: Path, tmp_path: Path, sample_url: str
) -> None:
    """A scheduled-style run crawls the sample over HTTP into the connection's warehouse."""
    warehouse = tmp_path / "wh.duckdb"
    env = _env(tmp_path, warehouse)
    result = run_dag_test(
        airflow_home,
        PAPER,
        logical_date=SCHEDULED_RUN,
        run_conf={"base_url": sample_url},
        extra_env=env,
    )

    assert result["state"] == "success", result["log_path"]
    mapped = {f"parse_page[{i}]" for i in range(3)}
    assert result["tasks"] == {t: "success" for t in (set(CHAIN) - {"parse_page"}) | mapped}
    assert result["map_labels"] == {f"parse_page[{i}]": f"page A{i + 1}" for i in range(3)}
    for value in result["xcom"].values():  # only paths and counts travel through XCom
        assert len(json.dumps(value)) < 2_000
    assert result["xcom"]["reconcile"]["issue_date"] == "2025-12-29"
    assert result["xcom"]["reconcile"]["matched_html_pdf"] == 9
    assert result["xcom"]["quality"] == {
        "site_id": "sample",
        "issue_date": "2025-12-29",
        "status": "complete",
        "pages": 3,
        "articles": 9,
        "ads": result["xcom"]["quality"]["ads"],
    }
    assert result["asset_events"] == [
        {
            "uri": "baokan://warehouse/sample",
            "extra": {
                "issue_date": "2025-12-29",
                "pages": "A1–A3",
                "status": "complete",
                "pages_listed": 3,
                "pages_parsed": 3,
                "articles": 9,
                "ads": result["xcom"]["quality"]["ads"],
                "problems": 0,
            },
        }
    ]
    log = Path(result["log_path"]).read_text(encoding="utf-8")
    assert "issue 2025-12-29 (A1–A3): complete, 3 of 3 pages parsed, 9 articles" in log
    assert not (tmp_path / "decoy.duckdb").exists()  # the connection won over BAOKAN_WAREHOUSE
    articles = _articles(warehouse, "2025-12-29")
    assert len(articles) == 9
    assert all(title.strip() and body.strip() for title, body in articles)

    marts = run_dag_test(airflow_home, "baokan_marts", extra_env=env)
    assert marts["state"] == "success", marts["log_path"]
    assert marts["xcom"]["refresh_marts"] == {
        "marts": {"articles": 9, "issues": 1},
        "sites": 1,
    }
    assert marts["xcom"]["cross_paper_dedup"] == {
        "cross_paper_clusters": 0,
        "articles_in_them": 0,
    }


def test_dag_test_loads_into_postgresql(
    airflow_home: Path, tmp_path: Path, sample_url: str, pg_url: str
) -> None:
    """BAOKAN_WAREHOUSE=postgresql://… switches load, quality and marts to the real server."""
    from warehouse import open_warehouse

    env = {"BAOKAN_DATA_DIR": str(tmp_path / "data"), "BAOKAN_WAREHOUSE": pg_url}
    result = run_dag_test(
        airflow_home,
        PAPER,
        run_conf={"base_url": sample_url, "issue_date": "2025-12-29"},
        extra_env=env,
    )
    assert result["state"] == "success", result["log_path"]
    assert result["tasks"]["quality"] == "success"
    with open_warehouse(pg_url) as store:
        assert store.execute("SELECT count(*) FROM marts.articles") == [(9,)]
        assert store.execute("SELECT status FROM marts.issues") == [("complete",)]
    marts = run_dag_test(airflow_home, "baokan_marts", extra_env=env)
    assert marts["state"] == "success", marts["log_path"]
    assert marts["xcom"]["refresh_marts"]["marts"] == {"articles": 9, "issues": 1}


def test_dag_test_broken_issue_fails_quality_with_reason(
    airflow_home: Path, tmp_path: Path, site_copy: Path
) -> None:
    """Missing PDF, garbled and mismatched pages: all loads, then `quality` fails saying why."""
    break_issue(site_copy)
    with serve_directory(site_copy) as url:
        result = run_dag_test(
            airflow_home,
            PAPER,
            run_conf={"base_url": url, "issue_date": "2025-12-29"},
            extra_env=_env(tmp_path, tmp_path / "wh.duckdb"),
        )

    assert result["state"] == "failed"
    assert result["tasks"]["quality"] == "failed"
    assert result["tasks"]["load"] == "success"
    log = Path(result["log_path"]).read_text(encoding="utf-8")
    assert "3 quality check(s) failed" in log
    assert "sample 2025-12-29 [step parse] unparsed pages: 1 of 3 pages not parsed" in log
    assert f"pdf_fetch http://paper.sample.baokan.invalid/{MISSING_PDF}: HTTP 404" in log
    assert "sample 2025-12-29 [step parse] garbled pages: 1 of 2 PDF pages garbled" in log
    assert "sample 2025-12-29 [step reconcile] HTML↔PDF similarity: mean" in log


def test_dag_test_day_without_issue_succeeds_with_zero_pages(
    airflow_home: Path, tmp_path: Path, sample_url: str
) -> None:
    """A 404 index (no issue that day) maps zero pages; the run still records 'missing'."""
    warehouse = tmp_path / "wh.duckdb"
    result = run_dag_test(
        airflow_home,
        PAPER,
        run_conf={"base_url": sample_url, "issue_date": "2025-12-30"},
        extra_env=_env(tmp_path, warehouse),
    )

    assert result["state"] == "success", result["log_path"]
    assert result["tasks"]["parse_page"] == "skipped"  # mapped over an empty page list
    assert {t: s for t, s in result["tasks"].items() if t != "parse_page"} == {
        t: "success" for t in CHAIN if t != "parse_page"
    }
    assert result["xcom"]["list_pages"] == []
    assert result["xcom"]["quality"]["status"] == "missing"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("SELECT status, articles FROM marts.issues").fetchall()
    assert rows == [("missing", 0)]


def _closed_port() -> int:
    """A 127.0.0.1 port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_dag_test_unreachable_mirror_fails_crawl_naming_url_and_cause(
    airflow_home: Path, tmp_path: Path
) -> None:
    """Connection refused on the issue index: `crawl` fails (to be retried), saying where and why."""
    base = f"http://127.0.0.1:{_closed_port()}/"
    index = f"{base}pc/layout/202512/29/node_A1.html"
    env = _env(tmp_path, tmp_path / "wh.duckdb")
    result = run_dag_test(
        airflow_home,
        PAPER,
        run_conf={"base_url": base, "issue_date": "2025-12-29"},
        extra_env=env,
    )

    assert result["state"] == "failed"
    assert result["tasks"]["crawl"] == "failed"
    assert result["tasks"]["load"] != "success" and result["tasks"]["quality"] != "success"
    log = Path(result["log_path"]).read_text(encoding="utf-8")
    assert f"sample 2025-12-29: issue index not fetched: {index}" in log
    assert "ConnectionRefusedError" in log
    assert "AirflowFailException" not in log  # an ordinary error: Airflow retries it

    # What quality would say of the same raw zone names the URL and the cause too.
    settings = Settings(Path(env["BAOKAN_DATA_DIR"]), "duckdb:///unused", None)
    steps.parse_issue("sample", "2025-12-29", settings=settings)
    issue = IssueRecord.from_dict(read_json(settings.parsed_path("sample", "2025-12-29")))
    (failure,) = check_pages(issue)
    assert "0 pages listed" in str(failure)
    assert "index_fetch http://paper.sample.baokan.invalid/pc/layout/202512/29/node_A1.html: " in (
        str(failure)
    )
    assert "ConnectionRefusedError" in str(failure)


def test_dag_test_sample_without_base_url_serves_bundled_site(
    airflow_home: Path, tmp_path: Path
) -> None:
    """Scheduled sample runs carry no base_url: the crawl serves the bundled sample itself."""
    warehouse = tmp_path / "wh.duckdb"
    result = run_dag_test(
        airflow_home,
        PAPER,
        run_conf={"issue_date": "2025-12-29"},
        extra_env=_env(tmp_path, warehouse),
    )

    assert result["state"] == "success", result["log_path"]
    assert result["xcom"]["crawl"]["errors"] == 0
    assert result["xcom"]["quality"]["articles"] == 9
    assert len(_articles(warehouse, "2025-12-29")) == 9


@pytest.mark.parametrize(
    ("url", "masked", "dropped"),
    [
        (
            "postgresql://etl:s3cr%3At@db:5432/b",
            "postgresql://etl:***@db:5432/b",
            "postgresql://etl@db:5432/b",
        ),
        ("postgresql://etl:p@ss@db/b", "postgresql://etl:***@db/b", "postgresql://etl@db/b"),
        ("postgresql://etl:@db/b", "postgresql://etl:***@db/b", "postgresql://etl@db/b"),
        ("postgresql://etl@db/b", "postgresql://etl@db/b", "postgresql://etl@db/b"),
        (
            "postgresql://db/b?user=etl&password=pw&sslmode=require",
            "postgresql://db/b?user=etl&password=***&sslmode=require",
            "postgresql://db/b?user=etl&sslmode=require",
        ),
        (
            "duckdb:////srv/wh.duckdb?lock_timeout=5",
            "duckdb:////srv/wh.duckdb?lock_timeout=5",
            None,
        ),
    ],
)
def test_redact_masks_every_password(url: str, masked: str, dropped: str | None) -> None:
    assert redact(url) == masked
    assert redact(url, mask=None) == (dropped or url)
