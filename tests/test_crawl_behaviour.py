"""What every crawl handles, against misbehaving local servers (never mocked)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from baokan import crawl
from baokan.config import Settings
from baokan.crawl_state import issue_state
from baokan.rawzone import ManifestRow, RawZone
from baokan.sites import get_site
from baokan.steps import crawl_dates, parse_issue
from tests.replica import Behaviour, copy_sample, serve

DAY = "2025-12-29"
ARTICLE = "pc/content/202512/29/content_1002.html"
PDF = "pc/attachement/202512/29/71850891cfa2f45b1bc057c5b12403fe.pdf"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A private copy of the sample (chinahightech template) to serve and break."""
    return copy_sample(tmp_path / "site")


def _truth_paths(sample_dir: Path, day: str = DAY) -> set[str]:
    truth = json.loads((sample_dir / "truth" / f"{day}.json").read_text("utf-8"))
    paths = set()
    for page in truth["pages"]:
        paths |= {page["index"], page["pdf"], *(a["url"] for a in page["articles"])}
    return paths


def _run(settings: Settings, url: str, **kwargs: Any) -> dict[str, Any]:
    profile = get_site("chinahightech", settings)
    return crawl.run_crawl(profile, kwargs.pop("dates", [DAY]), settings, url, **kwargs)


def test_date_range_no_issue_days_skip_and_force(
    settings: Settings, site: Path, sample_dir: Path
) -> None:
    days = [f"2025-12-{d}" for d in range(29, 32)] + [f"2026-01-0{d}" for d in range(1, 6)]
    with serve(site) as (url, served):
        first = crawl_dates("chinahightech", days, base_url=url, settings=settings)
        fetched = len(served.paths())
        again = crawl_dates("chinahightech", days, base_url=url, settings=settings)
        refetched = len(served.paths())
        forced = crawl_dates("chinahightech", days, base_url=url, settings=settings, force=True)
    stats = first["stats"]
    # Six days without an issue (404 index): recorded as no-issue, not as errors.
    assert stats["no_issue_days"] == [d for d in days if d not in (DAY, "2026-01-05")]
    assert stats["errors"] == {} and (stats["pages"], stats["pdfs"], stats["articles"]) == (
        6,
        6,
        18,
    )
    assert fetched == 6 + 30  # 6 no-issue indexes + 2 issues × 15 files
    assert parse_issue("chinahightech", "2025-12-30", settings=settings)["status"] == "missing"
    # A second run fetches nothing; --force fetches everything again.
    assert again["stats"]["issues_skipped"] == days and refetched == fetched
    assert again["stats"]["no_issue_days"] == stats["no_issue_days"]
    assert forced["stats"]["articles"] == 18 and forced["stats"]["issues_skipped"] == []


def test_retries_back_off_on_5xx_and_timeouts(settings: Settings, site: Path) -> None:
    behaviour = Behaviour(fail_first={ARTICLE: (2, 503)}, delay_first={PDF: 3.0})
    with serve(site, behaviour) as (url, served):
        result = _run(settings, url, overrides={"DOWNLOAD_TIMEOUT": 1, "RETRY_BACKOFF_BASE": 0.4})
    rows = {
        r.url.split("/", 3)[3]: r
        for r in RawZone(settings.raw_dir).read_manifest("chinahightech", DAY)
    }
    assert rows[ARTICLE].status == 200 and rows[PDF].status == 200
    assert result["stats"]["errors"] == {}
    hits = [t for p, t in served.log if p == ARTICLE]
    assert len(hits) == 3 and served.hits(PDF) == 2  # 503, 503, 200; timeout, 200
    # Backoff: 0.4 s before the first retry, 0.8 s before the second.
    assert hits[1] - hits[0] >= 0.4 and hits[2] - hits[1] >= 0.8


def test_interrupted_crawl_resumes_fetching_only_what_is_missing(
    settings: Settings, site: Path, sample_dir: Path
) -> None:
    zone = RawZone(settings.raw_dir)
    with serve(site) as (url, served):
        _run(settings, url)
        # Simulate a crash after 6 fetches: rows only in the .part file, the last one torn.
        final = zone.manifest_path("chinahightech", DAY)
        lines = final.read_text("utf-8").splitlines(keepends=True)
        final.with_name(final.name + ".part").write_text("".join(lines[:6]) + lines[6][:40])
        final.unlink()
        kept = {json.loads(line)["url"].split("/", 3)[3] for line in lines[:6]}
        assert issue_state(zone, get_site("chinahightech", settings), DAY) == "absent"
        since = len(served.log)
        result = _run(settings, url)
        resumed = set(served.paths(since))
    assert resumed == _truth_paths(sample_dir) - kept
    assert result["stats"]["reused"] == 6
    rows = zone.read_manifest("chinahightech", DAY)
    assert {r.url.split("/", 3)[3] for r in rows} == _truth_paths(sample_dir)
    assert issue_state(zone, get_site("chinahightech", settings), DAY) == "complete"


def test_failed_fetch_makes_issue_partial_and_only_it_is_refetched(
    settings: Settings, site: Path
) -> None:
    behaviour = Behaviour(fail_first={ARTICLE: (2, 500)})
    profile = get_site("chinahightech", settings)
    with serve(site, behaviour) as (url, served):
        first = _run(settings, url, overrides={"RETRY_TIMES": 1, "RETRY_BACKOFF_BASE": 0})
        assert first["stats"]["errors"] == {"http_500": 1}
        assert issue_state(RawZone(settings.raw_dir), profile, DAY) == "partial"
        since = len(served.log)
        second = _run(settings, url)
        assert served.paths(since) == [ARTICLE]
    assert second["stats"]["articles"] == 1 and second["stats"]["reused"] == 14
    assert issue_state(RawZone(settings.raw_dir), profile, DAY) == "complete"


def test_redirects_are_followed_and_an_index_redirected_off_its_date_is_no_issue(
    settings: Settings, site: Path, sample_dir: Path
) -> None:
    moved = ARTICLE.replace("content_1002", "content_9002")
    (site / moved).write_bytes((site / ARTICLE).read_bytes())
    behaviour = Behaviour(
        redirect={
            ARTICLE: moved,  # an article page that moved: follow it, keep the requested URL
            # Days without an issue that answer with the homepage or the latest issue.
            "pc/layout/202512/30/node_A1.html": "index.html",
            "pc/layout/202512/31/node_A1.html": "pc/layout/202601/05/node_A1.html",
        }
    )
    (site / "index.html").write_text("<html><body>首页</body></html>", encoding="utf-8")
    # An HTML redirect to the same homepage: a second day led there must still be recorded.
    refresh = site / "pc/layout/202601/01/node_A1.html"
    refresh.parent.mkdir(parents=True)
    refresh.write_text(
        '<html><head><meta http-equiv="refresh" content="0;url=/index.html"></head></html>',
        encoding="utf-8",
    )
    days = [DAY, "2025-12-30", "2025-12-31", "2026-01-01"]
    with serve(site, behaviour) as (url, served):
        result = crawl_dates("chinahightech", days, base_url=url, settings=settings)
    stats = result["stats"]
    assert stats["errors"] == {} and stats["articles"] == 9
    assert stats["no_issue_days"] == ["2025-12-30", "2025-12-31", "2026-01-01"]
    zone = RawZone(settings.raw_dir)
    rows = {r.url.split("/", 3)[3]: r for r in zone.read_manifest("chinahightech", DAY)}
    assert {*rows} == _truth_paths(sample_dir)
    assert rows[ARTICLE].status == 200 and rows[ARTICLE].fetched_url.endswith(moved)
    # Nothing of the 2026-01-05 issue the redirect led to is stored under 2025-12-31.
    (entry,) = zone.read_manifest("chinahightech", "2025-12-31")
    assert entry.sha256 is None and entry.error and "no issue" in entry.error
    assert served.hits("pc/layout/202601/05/node_A2.html") == 0
    for day in days[1:]:
        assert parse_issue("chinahightech", day, settings=settings)["status"] == "missing"


def test_robots_txt_user_agent_and_no_telnet(settings: Settings, site: Path) -> None:
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /pc/content/\n")
    with serve(site) as (url, served):
        result = _run(settings, url)
    rows = RawZone(settings.raw_dir).read_manifest("chinahightech", DAY)
    assert result["stats"]["errors"] == {"robots": 9}
    assert not [p for p in served.paths() if p.startswith("pc/content/")]
    assert all(
        r.status is None and "robots.txt" in (r.error or "") for r in rows if r.kind == "article"
    )
    assert served.agents and all(a.startswith("baokan/") for a in served.agents)
    log = Path(result["log"]).read_text(errors="replace")
    assert "Enabled extensions" in log  # the log names what was loaded…
    assert "Telnet" not in log and "remote_control" not in log and "listening" not in log


def test_polite_defaults_for_real_sites() -> None:
    from spiders import settings as s

    # A loopback base_url turns AutoThrottle off in the spider; real hosts keep these.
    assert s.ROBOTSTXT_OBEY and s.AUTOTHROTTLE_ENABLED and s.DOWNLOAD_DELAY > 0
    assert s.CONCURRENT_REQUESTS_PER_DOMAIN <= 4 and s.USER_AGENT.startswith("baokan/")
    assert not s.TELNETCONSOLE_ENABLED and not s.REMOTE_CONTROL_ENABLED
    assert s.DOWNLOAD_MAXSIZE <= 64 * 1024 * 1024
    cmd = crawl.crawl_command(get_site("rmrb"), [DAY], None, Path("x.log"))
    assert "AUTOTHROTTLE_ENABLED=False" not in cmd


def test_download_maxsize_refuses_oversized_responses(settings: Settings, site: Path) -> None:
    with serve(site) as (url, _):
        result = _run(settings, url, overrides={"DOWNLOAD_MAXSIZE": 100_000})
    rows = RawZone(settings.raw_dir).read_manifest("chinahightech", DAY)
    pdfs = [r for r in rows if r.kind == "pdf"]
    assert len(pdfs) == 3 and all(r.sha256 is None and r.error for r in pdfs)
    assert result["stats"]["errors"] == {"too_large": 3} and result["stats"]["articles"] == 9


@pytest.mark.parametrize(
    ("fetched_at", "state"),
    [
        ("2025-12-29T23:59:00+00:00", "no_issue"),  # 07:59 on the 30th in Shanghai
        ("2025-12-29T15:00:00+00:00", "absent"),  # 23:00 on the 29th: maybe not out yet
    ],
)
def test_no_issue_is_final_only_after_the_day_ended_in_site_time(
    tmp_path: Path, fetched_at: str, state: str
) -> None:
    zone = RawZone(tmp_path)
    profile = get_site("chinahightech")
    writer = zone.manifest_writer("chinahightech", DAY)
    url = profile.entry_url(date.fromisoformat(DAY))
    writer.write(
        ManifestRow("chinahightech", DAY, "layout", url, url, 404, None, 0, None, fetched_at)
    )
    writer.commit()
    assert issue_state(zone, profile, DAY) == state
