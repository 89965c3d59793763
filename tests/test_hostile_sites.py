"""Hostile sites, against real local servers: lying charsets, off-site links, endless lists."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from baokan import crawl
from baokan.config import Settings
from baokan.rawzone import RawZone
from baokan.sites import SiteProfileError, get_site, parse_profile
from baokan.steps import parse_issue
from spiders.hostpolicy import HostPolicy, internal_address, ip_literal, is_public
from tests.replica import Behaviour, copy_sample, serve

DAY = "2025-12-29"
A2 = "pc/layout/202512/29/node_A2.html"
ARTICLE = "pc/content/202512/29/content_1002.html"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A private copy of the sample (chinahightech template) to make hostile."""
    return copy_sample(tmp_path / "site")


def _run(settings: Settings, url: str, **kwargs: Any) -> dict[str, Any]:
    profile = get_site("chinahightech", settings)
    return crawl.run_crawl(profile, [DAY], settings, url, **kwargs)


def _rows(settings: Settings) -> dict[str, Any]:
    rows = RawZone(settings.raw_dir).read_manifest("chinahightech", DAY)
    return {r.url.split("/", 3)[3]: r for r in rows}


def test_pages_labelled_with_non_text_codecs_are_sniffed_not_dropped(
    settings: Settings, site: Path
) -> None:
    page = site / A2
    page.write_bytes(
        page.read_bytes().replace(b'<meta charset="utf-8">', b'<meta charset="rot13">')
    )
    behaviour = Behaviour(content_type={ARTICLE: "text/html; charset=base64"})
    with serve(site, behaviour) as (url, _):
        result = _run(settings, url)
    rows = _rows(settings)
    assert result["stats"]["errors"] == {}
    assert rows[A2].status == 200 and rows[ARTICLE].status == 200
    # A2's own articles were found, so its page was decoded.
    assert result["stats"]["articles"] == 9 and len(rows) == 15
    issue = parse_issue("chinahightech", DAY, settings=settings)
    assert issue["problems"] == 0


A1 = "pc/layout/202512/29/node_A1.html"
A3 = "pc/layout/202512/29/node_A3.html"
MOVED = "pc/content/202512/29/content_1003.html"  # rewritten into a meta refresh


@pytest.fixture
def internal(tmp_path: Path) -> Iterator[tuple[str, Behaviour]]:
    """An "internal service" on another port of 127.0.0.1 that must never be asked anything."""
    root = tmp_path / "internal"
    root.mkdir()
    for name in ("secret.html", "proto.html", "area.html", "refresh.html", "hop.html"):
        (root / name).write_text("<html><body>内部机密</body></html>", encoding="utf-8")
    with serve(root) as served:
        yield served


def _add_links(page: Path, articles: list[str], areas: list[str], pages: list[str]) -> None:
    """Hostile links in the page's article list, image map and page list."""
    html = page.read_text("utf-8")
    items = "".join(f'<li class="clearfix"><a href="{u}"><p>外链</p></a></li>' for u in articles)
    html = html.replace('<ul id="articlelist">', '<ul id="articlelist">' + items, 1)
    shapes = "".join(f'<area shape="rect" coords="0,0,9,9" href="{u}">' for u in areas)
    html = html.replace('<map name="PagePicMap">', '<map name="PagePicMap">' + shapes, 1)
    entries = "".join(f'<li class="posRelative"><a href="{u}">X1：外</a></li>' for u in pages)
    html = html.replace('<ul id="layoutlist">', '<ul id="layoutlist">' + entries, 1)
    page.write_text(html, encoding="utf-8")


def test_offsite_links_and_redirects_are_recorded_and_never_fetched(
    settings: Settings, site: Path, internal: tuple[str, Behaviour]
) -> None:
    inside, inside_log = internal
    port = inside.rsplit(":", 1)[1].strip("/")
    behaviour = Behaviour(redirect={ARTICLE: inside + "hop.html"})
    with serve(site, behaviour) as (url, served):
        mirror_port = url.rsplit(":", 1)[1].strip("/")
        articles = [
            inside + "secret.html",  # another port on 127.0.0.1
            f"//127.0.0.1:{port}/proto.html",  # protocol-relative
            f"http://localhost:{mirror_port}/{ARTICLE}",  # the mirror's port under another name
            f"http://2130706433:{port}/secret.html",  # 127.0.0.1 written as a number
            f"http://[::1]:{port}/secret.html",
            "http://evil.example/steal.html",
            "https://evil.example/steal.html",
            f"http://paper.chinahightech.com@127.0.0.1:{port}/secret.html",
        ]
        _add_links(site / A1, articles, [inside + "area.html"], [inside + "node_X1.html"])
        (site / MOVED).write_text(
            f'<html><head><meta http-equiv="refresh" content="0;url={inside}refresh.html">'
            "</head><body></body></html>",
            encoding="utf-8",
        )
        result = _run(settings, url)
    assert inside_log.log == []  # not even robots.txt
    assert served.hits(ARTICLE) == 1 and served.hits(MOVED) == 1
    rows = RawZone(settings.raw_dir).read_manifest("chinahightech", DAY)
    offsite = {r.fetched_url: r for r in rows if r.kind == "offsite"}
    refused = {inside + "hop.html", inside + "refresh.html", inside + "area.html"}
    refused |= {inside + "node_X1.html", f"http://127.0.0.1:{port}/proto.html", *articles}
    refused -= {f"//127.0.0.1:{port}/proto.html"}
    assert set(offsite) == refused
    assert all(r.status is None and r.sha256 is None for r in offsite.values())
    assert all("offsite" in (r.error or "") for r in offsite.values())
    # The redirected article is recorded under its own URL, with where it was sent.
    moved = next(r for r in rows if r.url == "http://paper.chinahightech.com/" + ARTICLE)
    assert moved.kind == "offsite" and "redirect to " + inside + "hop.html" in (moved.error or "")
    assert result["stats"]["offsite"] == len(refused) == 12
    assert result["stats"]["errors"] == {}  # evil.example was never even looked up
    assert result["stats"]["articles"] == 9 - 2 and result["stats"]["pages"] == 3
    assert result["issues"][DAY]["offsite"] == 12 and result["issues"][DAY]["errors"] == 0
    assert "off-site refused: 12; caps hit: 0" in crawl.format_stats(result["stats"])
    issue = parse_issue("chinahightech", DAY, settings=settings)
    assert issue["problems"] >= 2  # the two lost articles are problems of the issue


def test_an_entry_redirected_off_site_is_no_issue(
    settings: Settings, site: Path, internal: tuple[str, Behaviour]
) -> None:
    inside, inside_log = internal
    behaviour = Behaviour(redirect={"pc/layout/202512/30/node_A1.html": inside + "hop.html"})
    with serve(site, behaviour) as (url, _):
        profile = get_site("chinahightech", settings)
        result = crawl.run_crawl(profile, ["2025-12-30"], settings, url)
    assert inside_log.log == [] and result["stats"]["no_issue_days"] == ["2025-12-30"]
    (row,) = RawZone(settings.raw_dir).read_manifest("chinahightech", "2025-12-30")
    assert row.status == 302 and "off-site" in (row.error or "") and row.sha256 is None


def _local_profile(settings_dir: Path, base_url: str, extra: str = "") -> None:
    src = Path(__file__).parent.parent / "baokan/profiles/chinahightech.toml"
    text = src.read_text("utf-8").replace("http://paper.chinahightech.com/", base_url)
    settings_dir.mkdir(exist_ok=True)
    (settings_dir / "local.toml").write_text(
        text.replace('id = "chinahightech"', 'id = "local"') + extra, encoding="utf-8"
    )


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_profile_on_a_loopback_host_is_refused_unless_it_is_the_mirror(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, site: Path, host: str
) -> None:
    monkeypatch.setenv("BAOKAN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BAOKAN_SITES_DIR", str(tmp_path / "sites"))
    with serve(site) as (url, served):
        local = url.replace("127.0.0.1", host)
        _local_profile(tmp_path / "sites", local)
        settings = Settings.from_env()
        profile = get_site("local", settings)
        refused = crawl.run_crawl(profile, [DAY], settings, None)
        assert served.log == []
        (row,) = RawZone(settings.raw_dir).read_manifest("local", DAY)
        assert row.kind == "offsite" and "internal address" in (row.error or "")
        assert refused["stats"]["offsite"] == 1
        mirrored = crawl.run_crawl(profile, [DAY], settings, local)
    assert mirrored["stats"]["pages"] == 3 and mirrored["stats"]["articles"] == 9


def _policy(extra: str = "", base_url: str | None = None) -> HostPolicy:
    data = {
        "id": "p",
        "publication": "报",
        "family": "founder_new",
        "base_url": "http://paper.example.cn/",
        "entry": "pc/layout/{yyyymm}/{dd}/node_A1.html",
    }
    if extra:
        data["allowed_hosts"] = [extra]  # type: ignore[assignment]
    return HostPolicy.for_crawl(parse_profile(data, "p.toml"), base_url)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://paper.example.cn/pc/a.html", True),
        ("https://paper.example.cn/pc/a.html", True),  # the same host on https: 443
        ("http://PAPER.example.cn./pc/a.html", True),
        ("http://paper.example.cn:8080/pc/a.html", False),  # another port
        ("http://cdn.example.com/a.pdf", True),  # listed in allowed_hosts
        ("http://img.cdn.example.com/a.pdf", False),  # a subdomain is another host
        ("http://evil.example/a.html", False),
        ("http://paper.example.cn@127.0.0.1/a.html", False),  # user info
        ("http://paper.example.cn\\@127.0.0.1/a.html", False),
        ("ftp://paper.example.cn/a.html", False),
        ("http://127.0.0.1/a.html", False),
    ],
)
def test_host_policy_of_a_profile(url: str, allowed: bool) -> None:
    assert (_policy("cdn.example.com").refusal(url) is None) is allowed


def test_with_a_mirror_only_its_host_and_port_are_fetched() -> None:
    policy = _policy("cdn.example.com", base_url="http://127.0.0.1:8123/")
    assert policy.refusal("http://127.0.0.1:8123/pc/a.html") is None  # loopback, but the mirror
    assert policy.needs_lookup("http://127.0.0.1:8123/pc/a.html") is None
    for url in ("http://127.0.0.1:8124/", "http://localhost:8123/", "http://cdn.example.com/"):
        assert "off-site" in (policy.refusal(url) or "")


@pytest.mark.parametrize(
    "host",
    [
        *("127.0.0.1", "2130706433", "0x7f000001", "0177.0.0.1", "127.1"),
        *("[::1]", "[::ffff:127.0.0.1]", "[fe80::1]"),
        *("10.0.0.8", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0"),
    ],
)
def test_internal_ip_literals_are_refused_even_when_allowed(host: str) -> None:
    policy = _policy(host.strip("[]") if ":" not in host else "")
    if ":" in host:  # IPv6 literals cannot be listed as host:port; check the address itself
        ip = ip_literal(host)
        assert ip is not None and not is_public(ip)
        return
    assert "internal address" in (policy.refusal(f"http://{host}/a.pdf") or "")


def test_names_resolving_inward_are_found() -> None:
    assert internal_address("localhost") in ("127.0.0.1", "::1")
    assert internal_address("no-such-host.invalid") is None  # left to the DNS error
    ip = ip_literal("8.8.8.8")
    assert ip is not None and is_public(ip)
    assert _policy().needs_lookup("http://paper.example.cn/a.html") == "paper.example.cn"


@pytest.mark.parametrize("bad", ["http://cdn.example.com", "cdn.example.com/pdf", "a b", "-bad"])
def test_allowed_hosts_are_validated(bad: str) -> None:
    with pytest.raises(SiteProfileError, match=r"p\.toml: field 'allowed_hosts'"):
        _policy(bad)


LAYOUT = "pc/layout/202512/29/"


def _generated_page(
    pages: list[str], areas: list[str] | None = None, articles: list[str] | None = None
) -> str:
    """A page index page of the chinahightech template with the given links only."""
    menu = "".join(f'<li class="posRelative"><a href="{p}">A：链</a></li>' for p in pages)
    shapes = "".join(f'<area shape="rect" coords="0,0,9,9" href="{u}">' for u in areas or [])
    items = "".join(
        f'<li class="clearfix"><a href="{u}"><p>题</p></a></li>' for u in articles or []
    )
    return (
        '<html><head><meta charset="utf-8"></head><body><img usemap="#PagePicMap">'
        f'<map name="PagePicMap">{shapes}</map><ul id="layoutlist">{menu}</ul>'
        f'<ul id="articlelist">{items}</ul></body></html>'
    )


def _capped(settings: Settings) -> list[Any]:
    rows = RawZone(settings.raw_dir).read_manifest("chinahightech", DAY)
    return [r for r in rows if r.kind == "capped"]


def test_a_500_deep_chain_of_page_lists_stops_at_the_depth_cap(
    settings: Settings, tmp_path: Path
) -> None:
    root = tmp_path / "chain"
    (root / LAYOUT).mkdir(parents=True)
    for i in range(1, 501):
        page = _generated_page([f"node_A{i + 1}.html"])
        (root / LAYOUT / f"node_A{i}.html").write_text(page, encoding="utf-8")
    with serve(root) as (url, served):
        result = _run(settings, url)
        since = len(served.log)
        again = _run(settings, url)
        assert served.log[since:] == []  # the capped issue counts as complete: no re-crawl
    assert served.paths() == [f"{LAYOUT}node_A{i}.html" for i in range(1, 52)]  # depth 0…50
    (cap,) = _capped(settings)
    assert "BAOKAN_MAX_PAGE_DEPTH=50" in (cap.error or "")
    assert f"{LAYOUT}node_A51.html" in (cap.error or "") and "node_A52.html" in (cap.error or "")
    assert result["stats"]["pages"] == 51 and len(result["stats"]["capped"]) == 1
    assert result["stats"]["errors"] == {} and again["stats"]["issues_skipped"] == [DAY]


def test_a_huge_image_map_is_followed_only_up_to_the_cap(settings: Settings, site: Path) -> None:
    within = [f"../../../content/202512/29/content_{1001 + i % 3}.html" for i in range(2000)]
    beyond = [f"../../../content/202512/29/beyond_{i}.html" for i in range(1000)]
    entry = site / LAYOUT / "node_A1.html"
    entry.write_text(_generated_page(["node_A1.html"], areas=within + beyond), encoding="utf-8")
    with serve(site) as (url, served):
        result = _run(settings, url)
    assert not [p for p in served.paths() if "beyond_" in p]
    assert result["stats"]["articles"] == 3 and result["stats"]["pages"] == 1
    (cap,) = _capped(settings)
    assert "BAOKAN_MAX_MAP_AREAS=2000" in (cap.error or "") and LAYOUT + "node_A1" in cap.url
    assert "3000 areas, the first 2000 followed" in (cap.error or "")


def test_pages_and_articles_per_issue_are_capped(settings: Settings, site: Path) -> None:
    pages = [f"node_W{i}.html" for i in range(30)]
    articles = [f"../../../content/202512/29/content_{1001 + i}.html" for i in range(9)]
    for name in pages:
        page = _generated_page(pages, articles=articles)
        (site / LAYOUT / name).write_text(page, encoding="utf-8")
    (site / LAYOUT / "node_A1.html").write_text(_generated_page(pages), encoding="utf-8")
    overrides = {"BAOKAN_MAX_PAGES_PER_ISSUE": 20, "BAOKAN_MAX_ARTICLES_PER_ISSUE": 4}
    with serve(site) as (url, served):
        result = _run(settings, url, overrides=overrides)
    stats = result["stats"]
    assert stats["pages"] == 20 and stats["articles"] == 4
    assert len([p for p in served.paths() if p.startswith(LAYOUT)]) == 20
    caps = sorted((c.error or "").split(" ", 2)[1] for c in _capped(settings))
    assert caps == ["BAOKAN_MAX_ARTICLES_PER_ISSUE=4", "BAOKAN_MAX_PAGES_PER_ISSUE=20"]
