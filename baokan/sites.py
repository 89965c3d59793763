"""Site profiles: one TOML file per newspaper, validated with errors naming file and field."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from baokan.config import Settings

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
}

REQUIRED = ("id", "publication", "family", "base_url", "entry")
OPTIONAL = ("timezone", "schedule", "min_pdf_html_similarity", "selectors")


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


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def parse_profile(data: dict[str, Any], source: str) -> SiteProfile:
    """Validate a decoded profile; every error names the file and the field."""
    for key in REQUIRED:
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise SiteProfileError(
                f"{source}: field '{key}' is required and must be a non-empty string"
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
    )


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
