"""Spider arguments (scrapy -a), checked before anything starts: errors name argument and value."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from baokan.sites import SiteProfile, SiteProfileError, get_site

ARGUMENTS = ("site", "dates", "base_url", "force", "stats_file")


class SpiderArgumentError(ValueError):
    """A -a argument is unknown, missing or has a value the spider cannot use."""


@dataclass(frozen=True)
class CrawlArgs:
    """The validated arguments of one crawl."""

    profile: SiteProfile
    dates: tuple[date, ...]
    base_url: str | None
    force: bool
    stats_file: Path | None


def is_loopback(url: str | None) -> bool:
    """Whether url's host is this machine (a fixture server or a local mirror)."""
    host = (urlsplit(url).hostname or "") if url else ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _dates(value: Any) -> tuple[date, ...]:
    if not isinstance(value, str) or not value.strip():
        raise SpiderArgumentError(f"dates={value!r}: expected comma-separated ISO dates")
    days = []
    for piece in (p.strip() for p in value.split(",")):
        try:
            days.append(date.fromisoformat(piece))
        except ValueError:
            raise SpiderArgumentError(
                f"dates={value!r}: {piece!r} is not a date (YYYY-MM-DD)"
            ) from None
    return tuple(days)


def _base_url(value: Any) -> str | None:
    if value is None:
        return None
    parts = urlsplit(str(value))
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise SpiderArgumentError(f"base_url={value!r}: the port is not a number") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SpiderArgumentError(f"base_url={value!r}: expected an http(s) URL with a host")
    if parts.query or parts.fragment:
        raise SpiderArgumentError(f"base_url={value!r}: must not carry a query or fragment")
    return str(value)


def parse_args(family: str, args: Mapping[str, Any]) -> CrawlArgs:
    """Validate a spider's -a arguments; raise SpiderArgumentError naming the first bad one."""
    # Names starting with _ are the scheduler's (scrapyd passes _job): not ours to refuse.
    unknown = sorted(k for k in args if k not in ARGUMENTS and not k.startswith("_"))
    if unknown:
        value = args[unknown[0]]
        raise SpiderArgumentError(
            f"{unknown[0]}={value!r}: unknown argument (known: {', '.join(ARGUMENTS)})"
        )
    for required in ("site", "dates"):
        if not args.get(required):
            raise SpiderArgumentError(f"{required}: required argument missing (-a {required}=…)")
    try:
        profile = get_site(str(args["site"]))
    except SiteProfileError as exc:
        raise SpiderArgumentError(f"site={args['site']!r}: {exc}") from None
    if profile.family != family:
        raise SpiderArgumentError(
            f"site={profile.id!r}: the site is family {profile.family!r}, not {family!r}"
        )
    force = str(args.get("force", "0"))
    if force not in ("0", "1"):
        raise SpiderArgumentError(f"force={force!r}: expected 0 or 1")
    stats_file = args.get("stats_file")
    return CrawlArgs(
        profile=profile,
        dates=_dates(args["dates"]),
        base_url=_base_url(args.get("base_url")),
        force=force == "1",
        stats_file=Path(stats_file) if stats_file else None,
    )
