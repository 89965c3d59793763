"""Site profiles: one TOML file per newspaper, validated with errors naming file and field."""

from __future__ import annotations

import codecs
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from baokan.config import Settings
from parsers.text import CONVERSIONS

# Selectors each CMS family uses unless a profile overrides them.
FAMILY_SELECTORS: dict[str, dict[str, str]] = {
    "founder_new": {
        "page_links": "ul#layoutlist li.posRelative a",
        "pdf": "#pdfUrl",
        "article_links": "ul#articlelist li.clearfix a",
        "image_map": "map[name=PagePicMap] area",
        "page_image": "img[usemap]",
        "kicker": ".article h3",
        "title": ".article h1",
        "subtitle": ".article h2",
        "author": ".article .author",
        "body": "#ozoom founder-content p, #ozoom p",
    },
    # html/YYYY-MM/DD/node_N.htm; article metadata also sits in an <!--enpproperty--> comment.
    "founder_classic": {
        "page_links": "a#pageLink",
        "pdf": "td.px12 a[href$='.pdf']",
        "article_links": "td.default a[href*='content_']",
        "image_map": "map area",
        "page_image": "img[usemap]",
        "kicker": "td.font01:first-of-type",
        "title": "td.font02",
        "subtitle": "td.font03",
        "author": "td.font04",
        "body": "#ozoom founder-content p, #ozoom p, founder-content p",
    },
}

# Family defaults for the non-selector quirks; a profile overrides any of them.
FAMILY_DEFAULTS: dict[str, dict[str, Any]] = {
    # node_A1.html names the page; the page list text says the same.
    "founder_new": {"page_id_style": "A1", "node_is_label": True, "drop_query": []},
    # node_187.htm is a CMS id, not a page label; ?div=-1 / ?div=0 select the same article.
    "founder_classic": {"page_id_style": "A01", "node_is_label": False, "drop_query": ["div"]},
}

PAGE_ID_STYLES = ("01", "A1", "A01")
# Site ids name directories in the raw zone: nothing that could climb out of it.
SITE_ID = re.compile(r"[a-z0-9][a-z0-9_\-]{0,63}")
REQUIRED = ("id", "publication", "family", "base_url", "entry")
OPTIONAL = (
    "timezone",
    "schedule",
    "min_pdf_html_similarity",
    "selectors",
    "page_id_style",
    "node_is_label",
    "drop_query",
    "charset",
    "convert",
    "allowed_hosts",
)


class SiteProfileError(ValueError):
    """A profile file is missing, malformed or names an unknown site."""


@dataclass(frozen=True)
class SiteProfile:
    """Everything baokan needs to know to crawl and parse one newspaper."""

    id: str
    publication: str
    family: str
    base_url: str
    entry: str
    timezone: str = "Asia/Shanghai"
    # Cron expression, in the site's timezone, for when a new issue is reliably online.
    schedule: str = "30 6 * * *"
    # Quality gate: the lowest acceptable per-issue mean HTML↔PDF text similarity.
    min_pdf_html_similarity: float = 0.8
    selectors: dict[str, str] = field(default_factory=dict)
    # How page labels are written: '01' (01, 02…), 'A1' (A1, B2…) or 'A01' (A01, B02…).
    page_id_style: str = "A1"
    # Whether node_XX in a page URL is the page label (new family) or a CMS id (classic).
    node_is_label: bool = True
    # Query parameters that do not change which document a URL names (?div=-1 vs ?div=0).
    drop_query: tuple[str, ...] = ()
    # Charset to decode HTML with, overriding what pages declare ('' = detect).
    charset: str = ""
    # Script conversion for display text, HTML and PDF alike ('' = none; 't2s', 'tw2s',
    # 'hk2s': traditional to simplified, see parsers.text.CONVERSIONS).
    convert: str = ""
    # Hosts besides base_url's the spider may fetch (a PDF CDN): 'host' or 'host:port'.
    allowed_hosts: tuple[str, ...] = ()
    source: str = ""

    def entry_url(self, issue_date: date, base_url: str | None = None) -> str:
        """URL of the issue's first page index, on base_url (a mirror) or the site itself."""
        path = self.entry.format(
            yyyy=f"{issue_date:%Y}",
            yyyymm=f"{issue_date:%Y%m}",
            mm=f"{issue_date:%m}",
            dd=f"{issue_date:%d}",
            date=issue_date.isoformat(),
        )
        return _with_slash(base_url or self.base_url) + path

    def selector(self, name: str) -> str:
        """CSS selector for a named element, from the profile or the family default."""
        return self.selectors.get(name) or FAMILY_SELECTORS[self.family][name]

    def canonical_url(self, url: str) -> str:
        """The URL without fragment and without query parameters that name no new document."""
        parts = urlsplit(url)._replace(fragment="")
        query = parse_qsl(parts.query, keep_blank_values=True)
        kept = [(k, v) for k, v in query if k not in self.drop_query]
        if len(kept) != len(query):  # re-encode only when something was dropped
            parts = parts._replace(query=urlencode(kept))
        return urlunsplit(parts)

    def page_label(self, raw: str) -> str:
        """A page label in this paper's style: '1' → '01', 'A01' → 'A1' (style A1)…"""
        letters = "".join(c for c in raw if c.isalpha()).upper()
        digits = "".join(c for c in raw if c.isdigit())
        if not digits:
            return raw.upper()
        number = int(digits)
        if self.page_id_style == "A1":
            return f"{letters}{number}"
        return f"{letters}{number:02d}"


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def parse_profile(data: dict[str, Any], source: str) -> SiteProfile:
    """Validate a decoded profile; every error names the file and the field."""
    for key in REQUIRED:
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise SiteProfileError(
                f"{source}: field '{key}' is required and must be a non-empty string"
            )
    if not SITE_ID.fullmatch(data["id"]):
        raise SiteProfileError(
            f"{source}: field 'id': {data['id']!r} must be lowercase letters, digits, _ or -"
        )
    unknown = sorted(set(data) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise SiteProfileError(f"{source}: unknown field(s) {', '.join(unknown)}")
    if data["family"] not in FAMILY_SELECTORS:
        known = ", ".join(sorted(FAMILY_SELECTORS))
        raise SiteProfileError(
            f"{source}: field 'family': unknown family {data['family']!r} (known: {known})"
        )
    url = urlsplit(data["base_url"])
    if url.scheme not in ("http", "https") or not url.netloc:
        raise SiteProfileError(
            f"{source}: field 'base_url': not an http(s) URL: {data['base_url']!r}"
        )
    selectors = data.get("selectors", {})
    if not isinstance(selectors, dict) or not all(isinstance(v, str) for v in selectors.values()):
        raise SiteProfileError(f"{source}: field 'selectors' must be a table of strings")
    bad = sorted(set(selectors) - set(FAMILY_SELECTORS[data["family"]]))
    if bad:
        raise SiteProfileError(f"{source}: field 'selectors': unknown selector(s) {', '.join(bad)}")
    schedule = data.get("schedule", "30 6 * * *")
    if not isinstance(schedule, str) or len(schedule.split()) != 5:
        raise SiteProfileError(f"{source}: field 'schedule': expected a 5-field cron expression")
    threshold = data.get("min_pdf_html_similarity", 0.8)
    if not isinstance(threshold, int | float) or not 0 <= threshold <= 1:
        raise SiteProfileError(
            f"{source}: field 'min_pdf_html_similarity': expected a number in [0, 1]"
        )
    quirks = _quirks(data, source)
    return SiteProfile(
        id=data["id"],
        publication=data["publication"],
        family=data["family"],
        base_url=_with_slash(data["base_url"]),
        entry=data["entry"],
        timezone=data.get("timezone", "Asia/Shanghai"),
        schedule=schedule,
        min_pdf_html_similarity=float(threshold),
        selectors=dict(selectors),
        source=source,
        allowed_hosts=_allowed_hosts(data.get("allowed_hosts", []), source),
        **quirks,
    )


_HOST = re.compile(
    r"[a-z0-9]([a-z0-9\-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9\-]*[a-z0-9])?)*(:[0-9]{1,5})?"
)


def _allowed_hosts(hosts: Any, source: str) -> tuple[str, ...]:
    """Validated allowed_hosts: bare host names, optionally with a port (no scheme, no path)."""
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise SiteProfileError(f"{source}: field 'allowed_hosts': expected a list of strings")
    bad = [h for h in hosts if not _HOST.fullmatch(h.lower().rstrip("."))]
    if bad:
        raise SiteProfileError(
            f"{source}: field 'allowed_hosts': not a host or host:port: {', '.join(map(repr, bad))}"
        )
    return tuple(h.lower().rstrip(".") for h in hosts)


def _quirks(data: dict[str, Any], source: str) -> dict[str, Any]:
    """Validated non-selector fields, family defaults filling what the profile omits."""
    merged = {**FAMILY_DEFAULTS[data["family"]], **data}
    if merged["page_id_style"] not in PAGE_ID_STYLES:
        raise SiteProfileError(
            f"{source}: field 'page_id_style': expected one of {', '.join(PAGE_ID_STYLES)}"
        )
    if not isinstance(merged["node_is_label"], bool):
        raise SiteProfileError(f"{source}: field 'node_is_label': expected true or false")
    drop = merged["drop_query"]
    if not isinstance(drop, list) or not all(isinstance(q, str) for q in drop):
        raise SiteProfileError(f"{source}: field 'drop_query': expected a list of strings")
    charset = data.get("charset", "")
    if not isinstance(charset, str):
        raise SiteProfileError(f"{source}: field 'charset': expected a string")
    if charset:
        try:
            codecs.lookup(charset)
        except LookupError:
            raise SiteProfileError(
                f"{source}: field 'charset': unknown charset {charset!r}"
            ) from None
    convert = data.get("convert", "")
    if convert != "" and convert not in CONVERSIONS:
        raise SiteProfileError(
            f"{source}: field 'convert': expected one of {', '.join(CONVERSIONS)}"
        )
    timezone = data.get("timezone", "Asia/Shanghai")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise SiteProfileError(
            f"{source}: field 'timezone': unknown time zone {timezone!r}"
        ) from None
    return {
        "page_id_style": merged["page_id_style"],
        "node_is_label": merged["node_is_label"],
        "drop_query": tuple(drop),
        "charset": charset,
        "convert": convert,
    }


def load_profile_file(path: Path) -> SiteProfile:
    """Read and validate one profile file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SiteProfileError(f"{path}: cannot read profile: {exc}") from exc
    return parse_profile(data, str(path))


def _profile_files(settings: Settings) -> list[Path]:
    builtin = resources.files("baokan") / "profiles"
    files = sorted(Path(str(p)) for p in builtin.iterdir() if p.name.endswith(".toml"))
    if settings.sites_dir:
        if not settings.sites_dir.is_dir():
            raise SiteProfileError(f"BAOKAN_SITES_DIR={settings.sites_dir} is not a directory")
        files += sorted(settings.sites_dir.glob("*.toml"))
    return files


def load_sites(settings: Settings | None = None) -> dict[str, SiteProfile]:
    """All profiles: the packaged ones, then BAOKAN_SITES_DIR (which may override by id)."""
    sites: dict[str, SiteProfile] = {}
    for path in _profile_files(settings or Settings.from_env()):
        profile = load_profile_file(path)
        sites[profile.id] = profile
    return sites


def get_site(site_id: str, settings: Settings | None = None) -> SiteProfile:
    """One profile by id, or an error listing the known ids."""
    sites = load_sites(settings)
    if site_id not in sites:
        raise SiteProfileError(f"unknown site {site_id!r} (known: {', '.join(sorted(sites))})")
    return sites[site_id]
