"""Concurrent loads of issues that share articles and ads give the clusters sequential loads
give, on the real PostgreSQL server (and on one DuckDB file, where writers take turns)."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest

from baokan.config import Settings
from baokan.models import IssueRecord
from baokan.rawzone import ManifestRow, RawZone
from baokan.sites import SiteProfile, get_site
from tests.conftest import POSTGRES_ADMIN
from tests.test_warehouse import DAY, make_settings
from tests.test_warehouse_crash import stage
from warehouse import dedup_store, open_warehouse

SISTER = "sister"  # a second paper that reprints the sample issue whole, ads included
ROUNDS = 5

Load = tuple[SiteProfile, IssueRecord, list[ManifestRow]]


def reprinted(issue: IssueRecord, site: str) -> IssueRecord:
    """The same issue published by another site: every article and ad a reprint."""
    copy = IssueRecord.from_dict(issue.to_dict())
    copy.site_id = site
    for a in copy.articles:
        a.site_id, a.article_id = site, f"{site}-{a.article_id}"
    for d in copy.ads:
        d.site_id, d.ad_id = site, f"{site}-{d.ad_id}"
    for b in copy.unassigned:
        b.site_id, b.block_id = site, f"{site}-{b.block_id}"
    return copy


@pytest.fixture(scope="module")
def loads(crawled: Settings, tmp_path_factory: pytest.TempPathFactory) -> tuple[Load, Load]:
    """The staged sample issue and its reprint by the sister paper, ready to load."""
    wh = make_settings(crawled, tmp_path_factory.mktemp("shared"), "duckdb:///unused")
    stage(wh, DAY)
    path = wh.staged_path("sample", DAY)
    issue = IssueRecord.from_dict(json.loads(path.read_text("utf-8")))
    manifest = RawZone(wh.raw_dir).read_manifest("sample", DAY)
    profile = get_site("sample", wh)
    sister = dataclasses.replace(profile, id=SISTER, publication="姊妹报")
    return (profile, issue, manifest), (sister, reprinted(issue, SISTER), manifest)


@contextmanager
def fresh_pg() -> Iterator[str]:
    """A new, migrated PostgreSQL database, dropped afterwards."""
    name = f"baokan_c_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = urlsplit(POSTGRES_ADMIN)._replace(path=f"/{name}").geturl()
            open_warehouse(url).close()  # migrate first, so the loads only load
            yield url
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def clusters(url: str) -> list[tuple[Any, ...]]:
    """Every item's cluster, canonical flag and relation (what marts.articles shows)."""
    with open_warehouse(url) as store:
        return store.execute(
            "SELECT item_id, kind, cluster_id, is_canonical, relation "
            "FROM core.cluster_members ORDER BY item_id"
        )


def sequential(url: str, loads: tuple[Load, Load]) -> list[tuple[Any, ...]]:
    """The clusters after loading the issues one after the other."""
    for profile, issue, manifest in loads:
        with open_warehouse(url) as store:
            store.load_issue(profile, IssueRecord.from_dict(issue.to_dict()), manifest)
    return clusters(url)


def at_once(url: str, loads: tuple[Load, Load]) -> None:
    """Load each issue in a thread of its own (a connection each), started together."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(loads))

    def run(profile: SiteProfile, issue: IssueRecord, manifest: list[ManifestRow]) -> None:
        try:
            with open_warehouse(url) as store:
                start.wait(30)  # both connected and migrated: the loads start together
                store.load_issue(profile, IssueRecord.from_dict(issue.to_dict()), manifest)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=load) for load in loads]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)


@pytest.fixture(scope="module")
def expected(loads: tuple[Load, Load]) -> list[tuple[Any, ...]]:
    """Sequential loads' clusters: each article and the ad with its sister copy."""
    with fresh_pg() as url:
        found = sequential(url, loads)
    by_cluster: dict[str, list[str]] = {}
    for item_id, _, cid, _, _ in found:
        by_cluster.setdefault(cid, []).append(item_id)
    pairs = [ids for ids in by_cluster.values() if len(ids) == 2]
    assert len(found) == 20 and len(pairs) == 10  # 9 articles and 1 ad, each reprinted
    assert sum(kind == "ad" for _, kind, _, _, _ in found) == 2
    return found


def _waiting(url: str) -> int:
    """Backends of `url`'s database waiting for a lock (advisory or table)."""
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as con:
        row = con.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
            [name],
        ).fetchone()
    return int(row[0]) if row else 0


def test_postgres_loads_that_read_history_at_once_still_link_their_reprints(
    loads: tuple[Load, Load], expected: list[tuple[Any, ...]]
) -> None:
    # The worst interleaving, every round: a third session blocks writes to the band-key tier
    # (not reads), so each load has read history before the other can store anything. Without
    # the history lock both read an empty history and the 20 items stay 20 clusters.
    for _ in range(3):
        with fresh_pg() as url:
            blocker = psycopg.connect(url)
            blocker.execute(f"LOCK TABLE core.{dedup_store.RECENT} IN SHARE MODE")

            def release(url: str = url, blocker: Any = blocker) -> None:
                deadline = time.monotonic() + 60
                while _waiting(url) < 2 and time.monotonic() < deadline:
                    time.sleep(0.05)  # both loads are blocked: on the tier, or on the lock
                blocker.commit()
                blocker.close()

            releaser = threading.Thread(target=release)
            releaser.start()
            at_once(url, loads)
            releaser.join(60)
            assert clusters(url) == expected


def test_postgres_loads_started_together_give_the_sequential_clusters(
    loads: tuple[Load, Load], expected: list[tuple[Any, ...]]
) -> None:
    split = 0
    for _ in range(ROUNDS):  # free-running: as two Airflow tasks of one paper would overlap
        with fresh_pg() as url:
            at_once(url, loads)
            split += clusters(url) != expected
    assert split == 0, f"{split} of {ROUNDS} rounds lost reprint links"


def test_duckdb_loads_from_two_threads_give_the_sequential_clusters(
    loads: tuple[Load, Load], expected: list[tuple[Any, ...]], tmp_path: Path
) -> None:
    # One file, one writer at a time (the process lock): nothing to race, the same clusters.
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    open_warehouse(url).close()
    at_once(url, loads)
    assert clusters(url) == expected
