"""Batch loads (several staged issues per warehouse transaction) on a real DuckDB file and the
real PostgreSQL server: the same warehouse as loading one by one, idempotent re-loads, and a
bad issue that fails alone."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from baokan.config import Settings
from baokan.fsutil import read_json, write_json_atomic
from baokan.ingest import ingest
from baokan.models import IssueRecord, Problem
from baokan.rawzone import RAW_OBJECT
from baokan.sites import SiteProfile, get_site
from baokan.steps import load_issue, load_issues
from tests.conftest import fresh_database
from tests.test_warehouse import DAY, DAY2, make_settings
from tests.test_warehouse_concurrency import SISTER, clusters, reprinted
from tests.test_warehouse_crash import stage
from warehouse import open_warehouse
from warehouse.store import IssueLoad

# The two sample issues and three made from them: a reprint of DAY whole, DAY2 with some
# bodies partly rewritten (near-duplicates, some near the linking threshold, whose stored
# texts the load reads), and a reprint of that rewrite.
REPRINT_DAY, EDITED_DAY2, REPRINT_EDITED = "2025-12-30", "2025-12-31", "2026-01-06"
DATES = [DAY, REPRINT_DAY, EDITED_DAY2, DAY2, REPRINT_EDITED]
SKIPPED_COLUMNS = {"load_run", "loaded_at"}  # differ between any two loads


def redated(issue: IssueRecord, day: str, rewrite: bool = False) -> IssueRecord:
    """The issue published again on `day` under new ids; with `rewrite`, every other
    article has a growing share of its body replaced (10 %, 16 %, 22 %, …)."""
    copy = IssueRecord.from_dict(issue.to_dict())
    copy.issue_date = day
    tag = day.replace("-", "")
    for records, key in (
        (copy.articles, "article_id"),
        (copy.ads, "ad_id"),
        (copy.unassigned, "block_id"),
    ):
        for r in records:
            r.issue_date = day
            setattr(r, key, f"{getattr(r, key)}-{tag}")
    for n, a in enumerate(copy.articles[::2] if rewrite else []):
        cut = len(a.body) * (10 + 6 * n) // 100
        start = len(a.body) // 3
        a.body = a.body[:start] + "改写" * (cut // 2) + a.body[start + cut :]
    return copy


@pytest.fixture(scope="module")
def staged(crawled: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with the raw zone and the five issues of DATES staged (never loaded)."""
    wh = make_settings(crawled, tmp_path_factory.mktemp("staged"), "duckdb:///unused")
    for day in (DAY, DAY2):
        stage(wh, day)
    made = {REPRINT_DAY: (DAY, False), EDITED_DAY2: (DAY2, True)}
    for day, (source, rewrite) in made.items():
        issue = IssueRecord.from_dict(read_json(wh.staged_path("sample", source)))
        write_json_atomic(wh.staged_path("sample", day), redated(issue, day, rewrite).to_dict())
    edited = IssueRecord.from_dict(read_json(wh.staged_path("sample", EDITED_DAY2)))
    reprint = redated(edited, REPRINT_EDITED).to_dict()
    write_json_atomic(wh.staged_path("sample", REPRINT_EDITED), reprint)
    return wh.data_dir


@pytest.fixture(params=["duckdb", "postgresql"])
def urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two empty warehouses on one backend: loaded one by one, and loaded in batches."""
    if request.param == "duckdb":
        yield f"duckdb:///{tmp_path / 'one.duckdb'}", f"duckdb:///{tmp_path / 'batch.duckdb'}"
        return
    with fresh_database("baokan_lb_") as one, fresh_database("baokan_lb_") as batch:
        yield one, batch


def data_copy(staged: Path, tmp_path: Path) -> Path:
    """A private copy of the staged data dir (a test may damage its files)."""
    dest = tmp_path / "data"
    shutil.copytree(staged, dest)
    return dest


def contents(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every raw, core and marts table or view, without load ids and times;
    core.load_runs as loads per issue."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with open_warehouse(url) as store:
        tables = store.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN ('raw', 'core', 'marts') ORDER BY 1, 2"
        )
        for schema, name in tables:
            if name in ("schema_migrations", "load_runs"):
                continue
            cols = store.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
                [schema, name],
            )
            kept = ", ".join(f'"{c}"' for (c,) in cols if c not in SKIPPED_COLUMNS)
            out[f"{schema}.{name}"] = sorted(
                store.execute(f"SELECT {kept} FROM {schema}.{name}"), key=repr
            )
        out["core.load_runs"] = store.execute(
            "SELECT site_id, issue_date, count(*), sum(articles) FROM core.load_runs "
            "GROUP BY site_id, issue_date ORDER BY issue_date"
        )
    return out


def one_by_one(settings: Settings, dates: list[str]) -> dict[str, str]:
    """Today's path: load_issue per date; the error of each issue that failed."""
    errors = {}
    for day in dates:
        try:
            load_issue("sample", day, settings=settings)
        except Exception as exc:
            errors[day] = f"{type(exc).__name__}: {exc}"
    return errors


def cross_issue_clusters(found: dict[str, list[tuple[Any, ...]]]) -> tuple[int, int]:
    """Clusters whose members come from more than one issue, and members linked on their
    texts (a stored item's text read from the warehouse)."""
    days: dict[str, set[Any]] = {}
    for row in found["core.cluster_members"]:
        days.setdefault(row[1], set()).add(row[-1])
    on_texts = sum(row[5] == "exact-shingles" for row in found["core.cluster_members"])
    return sum(len(d) > 1 for d in days.values()), on_texts


@pytest.mark.parametrize("batch", [2, 5])
def test_batches_give_the_warehouse_of_one_by_one_loads(
    staged: Path, tmp_path: Path, urls: tuple[str, str], batch: int
) -> None:
    data = data_copy(staged, tmp_path)
    one, many = Settings(data, urls[0], None), Settings(data, urls[1], None, load_batch=batch)
    assert one_by_one(one, DATES) == {}
    results = load_issues("sample", DATES, settings=many)
    assert [r["issue_date"] for r in results] == DATES
    assert all("error" not in r and r["load_run"] for r in results)
    assert results[0]["articles"] == 9 and results[0]["warehouse"] == urls[1]
    expected = contents(one.warehouse)
    # Not trivially equal: every item of DAY has its reprint a day later, and the rewrites
    # link to (or split from) their originals.
    across, on_texts = cross_issue_clusters(expected)
    assert across >= 18 and on_texts >= 4
    assert contents(many.warehouse) == expected


def test_reloading_a_batch_is_idempotent(
    staged: Path, tmp_path: Path, urls: tuple[str, str]
) -> None:
    data = data_copy(staged, tmp_path)
    one, many = Settings(data, urls[0], None), Settings(data, urls[1], None, load_batch=5)
    one_by_one(one, DATES)
    first = load_issues("sample", DATES, settings=many)
    again = load_issues("sample", DATES, settings=many)
    assert {r["load_run"] for r in first}.isdisjoint(r["load_run"] for r in again)
    loaded = contents(many.warehouse)
    assert [n for _, _, n, _ in loaded.pop("core.load_runs")] == [2] * len(DATES)
    expected = contents(one.warehouse)
    expected.pop("core.load_runs")
    assert loaded == expected


def test_a_bad_issue_fails_alone_and_the_rest_of_its_batch_loads(
    staged: Path, tmp_path: Path, urls: tuple[str, str]
) -> None:
    data = data_copy(staged, tmp_path)
    one, many = Settings(data, urls[0], None), Settings(data, urls[1], None, load_batch=5)
    # EDITED_DAY2 reuses an article id of DAY, loaded earlier in the same batch: its
    # articles violate the primary key, after its other rows and its clusters went in.
    path = one.staged_path("sample", EDITED_DAY2)
    issue = IssueRecord.from_dict(read_json(path))
    taken = IssueRecord.from_dict(read_json(one.staged_path("sample", DAY))).articles[0]
    issue.articles[-1].article_id = taken.article_id
    write_json_atomic(path, issue.to_dict())
    # And REPRINT_EDITED's staged file is torn.
    torn = one.staged_path("sample", REPRINT_EDITED)
    torn.write_text(torn.read_text("utf-8")[:500], "utf-8")

    errors = one_by_one(one, DATES)
    assert set(errors) == {EDITED_DAY2, REPRINT_EDITED}
    results = {r["issue_date"]: r for r in load_issues("sample", DATES, settings=many)}
    failed = {day: r["error"] for day, r in results.items() if "error" in r}
    assert failed == errors
    assert taken.article_id in failed[EDITED_DAY2]
    assert str(torn) in failed[REPRINT_EDITED] and "not valid JSON" in failed[REPRINT_EDITED]
    assert all(results[d]["status"] == "complete" for d in (DAY, REPRINT_DAY, DAY2))
    loaded = contents(many.warehouse)
    assert [row[1] for row in loaded["core.issues"]] == [
        dt.date.fromisoformat(d) for d in (DAY, REPRINT_DAY, DAY2)
    ]
    assert loaded == contents(one.warehouse)


def test_a_damaged_raw_zone_is_refused_and_the_rest_of_the_batch_reloads(
    staged: Path, tmp_path: Path, urls: tuple[str, str]
) -> None:
    data = data_copy(staged, tmp_path)
    many = Settings(data, urls[1], None, load_batch=5)
    first = {r["issue_date"]: r["load_run"] for r in load_issues("sample", DATES, settings=many)}
    path = many.staged_path("sample", DAY2)
    issue = IssueRecord.from_dict(read_json(path))
    issue.problems.append(Problem(RAW_OBJECT, "http://x.invalid/a.html", "object is missing"))
    write_json_atomic(path, issue.to_dict())

    results = {r["issue_date"]: r for r in load_issues("sample", DATES, settings=many)}
    assert results[DAY2]["error"].startswith(f"RawZoneDamaged: sample {DAY2}: not loaded")
    assert "http://x.invalid/a.html" in results[DAY2]["error"]
    assert all("error" not in r for d, r in results.items() if d != DAY2)
    with open_warehouse(many.warehouse) as store:
        runs = dict(store.execute("SELECT CAST(issue_date AS VARCHAR), load_run FROM core.issues"))
    assert runs[DAY2] == first[DAY2]  # the earlier load stays
    assert all(runs[d] == results[d]["load_run"] != first[d] for d in DATES if d != DAY2)


def test_ingest_loads_in_batches_of_load_batch(crawled: Settings, tmp_path: Path) -> None:
    one = make_settings(crawled, tmp_path / "one", f"duckdb:///{tmp_path / 'one.duckdb'}")
    many = dataclasses.replace(
        make_settings(crawled, tmp_path / "many", f"duckdb:///{tmp_path / 'many.duckdb'}"),
        load_batch=2,
    )
    lines: list[str] = []
    for settings, say in ((one, lambda _: None), (many, lines.append)):
        result = ingest("sample", [DAY, DAY2], crawl=False, settings=settings, progress=say)
        assert result.failures == [] and [i["issue_date"] for i in result.issues] == [DAY, DAY2]
    assert f"    load 2 issues sample {DAY}…{DAY2}" in lines
    assert contents(many.warehouse) == contents(one.warehouse)


@pytest.mark.parametrize(("value", "batch"), [("", 1), ("1", 1), ("30", 30)])
def test_load_batch_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, batch: int
) -> None:
    monkeypatch.setenv("BAOKAN_LOAD_BATCH", value)
    assert Settings.from_env().load_batch == batch


@pytest.mark.parametrize("value", ["0", "-3", "ten", "2.5"])
def test_a_bad_load_batch_is_named(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("BAOKAN_LOAD_BATCH", value)
    with pytest.raises(ValueError, match=f"BAOKAN_LOAD_BATCH='{value}': expected a whole number"):
        Settings.from_env()


def test_postgres_batches_and_single_loads_at_once_give_the_sequential_clusters(
    staged: Path,
) -> None:
    # Two papers that reprint each other, loaded at once as two batches and a single load,
    # each on its own connection: no deadlock, and the clusters of loading one by one.
    wh = Settings(staged, "duckdb:///unused", None)
    profile = get_site("sample", wh)
    sister = dataclasses.replace(profile, id=SISTER, publication="姊妹报")

    def load(site: SiteProfile, day: str) -> IssueLoad:
        issue = IssueRecord.from_dict(read_json(wh.staged_path("sample", day)))
        return site, issue if site is profile else reprinted(issue, SISTER), []

    groups = [
        [load(profile, d) for d in (DAY, REPRINT_DAY, DAY2)],
        [load(sister, d) for d in (DAY, DAY2)],
        [load(sister, REPRINT_DAY)],
    ]
    with fresh_database("baokan_lb_") as url:
        with open_warehouse(url) as store:
            for one in (load for group in groups for load in group):
                store.load_batch([copied(one)])
        expected = clusters(url)
    assert len({cid for _, _, cid, _, _ in expected}) < len(expected) // 2
    for _ in range(3):
        with fresh_database("baokan_lb_") as url:
            open_warehouse(url).close()  # migrated first, so the threads only load
            at_once(url, groups)
            assert clusters(url) == expected


def at_once(url: str, groups: list[list[IssueLoad]]) -> None:
    """Each group as one batch in a thread of its own (a connection each), started together."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(groups))

    def run(group: list[IssueLoad]) -> None:
        try:
            with open_warehouse(url) as store:
                start.wait(30)
                store.load_batch([copied(one) for one in group])
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(g,)) for g in groups]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)


def copied(load: IssueLoad) -> IssueLoad:
    """The load with a fresh copy of its record (a load sets the record's cluster ids)."""
    site, issue, manifest = load
    return site, IssueRecord.from_dict(issue.to_dict()), manifest
