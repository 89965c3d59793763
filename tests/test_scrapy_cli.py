"""The Scrapy project as operators run it: scrapy crawl and scrapy check, as real subprocesses."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.crawler import Crawler
from scrapy.settings import Settings as ScrapySettings

from baokan.config import Settings
from baokan.serve import serve_directory
from spiders import settings as project_settings
from spiders.families.founder_new import FounderNewSpider
from tests.replica import build_jxrb

ROOT = Path(__file__).parent.parent
DAY = "2025-12-29"


def _scrapy(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the scrapy command line in the project directory, as an operator would."""
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_loopback_crawl_turns_throttling_off_and_logs_baokan_stats(
    settings: Settings, sample_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "crawl.log"
    args = ["-a", "site=sample", "-a", f"dates={DAY}", "-a", f"base_url={sample_url}"]
    done = _scrapy("crawl", "founder_new", *args, "-s", f"LOG_FILE={log}")
    assert done.returncode == 0, done.stderr[-2000:]
    text = log.read_text(errors="replace")
    overridden = text.split("Overridden settings:", 1)[1].split("\n2", 1)[0]
    # Scrapy lists only settings that differ from its defaults (AutoThrottle off, no delay).
    assert "'AUTOTHROTTLE_ENABLED'" not in overridden and "'DOWNLOAD_DELAY'" not in overridden
    assert "'ROBOTSTXT_OBEY': True" in overridden  # …while the rest stays polite
    assert "scrapy.extensions.throttle.AutoThrottle" not in text
    line = next(x for x in text.splitlines() if "baokan stats:" in x)
    assert "INFO" in line
    assert "3 pages, 3 PDFs, 9 articles, 0 reused from raw; errors: none" in line
    assert "off-site refused: 0; caps hit: 0; no-issue days: none" in line


def _project_settings() -> ScrapySettings:
    """The project's settings as `scrapy crawl` loads them (upper-case names only)."""
    loaded = ScrapySettings()
    loaded.setmodule(project_settings, priority="project")
    return loaded


def test_real_site_crawl_keeps_throttling(settings: Settings) -> None:
    crawler = Crawler(FounderNewSpider, _project_settings())
    FounderNewSpider.from_crawler(crawler, site="sample", dates=DAY)
    assert crawler.settings.getbool("AUTOTHROTTLE_ENABLED")
    assert crawler.settings.getfloat("DOWNLOAD_DELAY") == 0.25


def test_explicit_setting_beats_the_loopback_rule(settings: Settings) -> None:
    base = _project_settings()
    base.set("DOWNLOAD_DELAY", 2.0, priority="cmdline")
    crawler = Crawler(FounderNewSpider, base)
    FounderNewSpider.from_crawler(crawler, site="sample", dates=DAY, base_url="http://[::1]:9/")
    assert not crawler.settings.getbool("AUTOTHROTTLE_ENABLED")
    assert crawler.settings.getfloat("DOWNLOAD_DELAY") == 2.0


def test_crawl_concurrency_raises_loopback_and_only_lowers_a_real_site(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAOKAN_CRAWL_CONCURRENCY", "16")
    local = Crawler(FounderNewSpider, _project_settings())
    FounderNewSpider.from_crawler(local, site="sample", dates=DAY, base_url="http://127.0.0.1:9/")
    assert local.settings.getint("CONCURRENT_REQUESTS") == 16
    assert local.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 16
    real = Crawler(FounderNewSpider, _project_settings())
    FounderNewSpider.from_crawler(real, site="sample", dates=DAY)
    assert real.settings.getint("CONCURRENT_REQUESTS") == 8  # the polite defaults stay
    assert real.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 4
    monkeypatch.setenv("BAOKAN_CRAWL_CONCURRENCY", "2")
    gentler = Crawler(FounderNewSpider, _project_settings())
    FounderNewSpider.from_crawler(gentler, site="sample", dates=DAY)
    assert gentler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 2
    assert gentler.settings.getbool("AUTOTHROTTLE_ENABLED")
    monkeypatch.setenv("BAOKAN_CRAWL_CONCURRENCY", "lots")
    with pytest.raises(ValueError, match="BAOKAN_CRAWL_CONCURRENCY='lots': expected a whole"):
        FounderNewSpider.from_crawler(
            Crawler(FounderNewSpider, _project_settings()), site="sample", dates=DAY
        )


def test_ingest_crawl_concurrency_reaches_the_spider(
    settings: Settings, sample_url: str, tmp_path: Path
) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "baokan.cli",
            "-q",
            "ingest",
            "sample",
            "--date",
            DAY,
            "--base-url",
            sample_url,
            "--crawl-concurrency",
            "3",
            "--parse-workers",
            "1",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    log = next((settings.data_dir / "logs").glob("crawl-sample-*.log")).read_text(errors="replace")
    overridden = log.split("Overridden settings:", 1)[1].split("\n2", 1)[0]
    assert "'CONCURRENT_REQUESTS': 3" in overridden
    assert "'CONCURRENT_REQUESTS_PER_DOMAIN': 3" in overridden


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("site=nope", "site='nope': unknown site 'nope' (known: "),
        ("site=jxrb", "site='jxrb': the site is family 'founder_classic', not 'founder_new'"),
        ("dates=2025-12-29,2025-13-01", "dates='2025-12-29,2025-13-01': '2025-13-01' is not"),
        ("base_url=ftp://mirror/", "base_url='ftp://mirror/': expected an http(s) URL"),
        ("base_url=http://127.0.0.1:80x/", "base_url='http://127.0.0.1:80x/': the port is not"),
        ("sit=sample", "sit='sample': unknown argument (known: site, dates, base_url"),
        ("force=yes", "force='yes': expected 0 or 1"),
    ],
)
def test_bad_argument_is_one_line_and_exit_2(settings: Settings, bad: str, message: str) -> None:
    args = {"site": "sample", "dates": DAY, "base_url": "http://127.0.0.1:9/"}
    args[bad.split("=", 1)[0]] = bad.split("=", 1)[1]
    flags = [f for k, v in args.items() for f in ("-a", f"{k}={v}")]
    done = _scrapy("crawl", "founder_new", *flags, "-s", "LOG_LEVEL=WARNING")
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    errors = [x for x in done.stderr.splitlines() if "bad argument" in x]
    assert errors == [errors[0]] and message in errors[0], done.stderr[-2000:]


def _check(spider: str, base_url: str) -> tuple[int, str]:
    """scrapy check for one family against base_url: (exit status, report)."""
    done = _scrapy("check", spider, env={"BAOKAN_CHECK_BASE_URL": base_url})
    return done.returncode, done.stdout + done.stderr


def test_scrapy_check_runs_the_new_family_contracts(settings: Settings, sample_url: str) -> None:
    status, report = _check("founder_new", sample_url)
    assert status == 0, report
    ran = re.search(r"Ran (\d+) contracts?", report)
    assert ran and int(ran.group(1)) == 7 and "\nOK" in report, report


def test_scrapy_check_runs_the_classic_family_contracts(settings: Settings, tmp_path: Path) -> None:
    build_jxrb(tmp_path / "jxrb")
    with serve_directory(tmp_path / "jxrb") as url:
        status, report = _check("founder_classic", url)
    assert status == 0, report
    ran = re.search(r"Ran (\d+) contracts?", report)
    assert ran and int(ran.group(1)) == 7 and "\nOK" in report, report


def test_scrapy_check_fails_on_a_broken_page(settings: Settings, site_copy: Path) -> None:
    page = site_copy / "pc/layout/202512/29/node_A1.html"
    # The page loses its PDF link and the article lost its body: two contracts must fail.
    page.write_text(re.sub(r'id="pdfUrl"', 'id="gone"', page.read_text("utf-8")), "utf-8")
    article = site_copy / "pc/content/202512/29/content_1001.html"
    article.write_text(re.sub(r"<p>.*?</p>", "", article.read_text("utf-8"), flags=re.S), "utf-8")
    with serve_directory(site_copy) as url:
        status, report = _check("founder_new", url)
    assert status == 1, report
    assert "FAILED (failures=2)" in report, report
    assert "0 pdf link(s) followed, expected ≥ 1" in report
    assert "article page has no body text" in report
