"""Which hosts a crawl may fetch: the paper's own (or only its mirror), never anything else.

A hostile page can link or redirect anywhere (an internal service, a cloud metadata address);
whatever came back would be stored under the paper's URL. The policy is checked for every
link before it is requested and, by HostPolicyMiddleware, for every redirect hop.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

from baokan.sites import SiteProfile

DEFAULT_PORTS = {"http": 80, "https": 443}
# A netloc with nothing that parsers disagree on: no user info, backslashes, spaces or %.
_CLEAN_NETLOC = re.compile(r"([A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?")
# Host names that inet_aton reads as IPv4 (2130706433, 0x7f000001, 0177.0.0.1, 127.1).
_NUMERIC_HOST = re.compile(r"(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}")

IP = ipaddress.IPv4Address | ipaddress.IPv6Address


class OffsiteRefused(IgnoreRequest):
    """A request (a link or a redirect hop) to a host the crawl may not fetch."""


@dataclass(frozen=True)
class Origin:
    """A host and port the crawl may fetch; port None is the scheme's default port."""

    host: str
    port: int | None

    def admits(self, host: str, port: int) -> bool:
        """Whether host:port (port made explicit) is this origin."""
        if host != self.host:
            return False
        return port in DEFAULT_PORTS.values() if self.port is None else port == self.port


def _origin(netloc: str) -> Origin:
    parts = urlsplit("//" + netloc)
    return Origin((parts.hostname or "").rstrip("."), parts.port)


@dataclass(frozen=True)
class HostPolicy:
    """The origins of one crawl, and whether they are a configured mirror."""

    origins: tuple[Origin, ...]
    mirror: bool  # a mirror given by --base-url / base_url is fetched even on loopback

    @classmethod
    def for_crawl(cls, profile: SiteProfile, base_url: str | None) -> HostPolicy:
        """Only the mirror's host:port with a mirror; else the profile's host and allowed_hosts."""
        if base_url:
            return cls((_origin(urlsplit(base_url).netloc),), mirror=True)
        hosts = [urlsplit(profile.base_url).netloc, *profile.allowed_hosts]
        return cls(tuple(_origin(h.lower()) for h in hosts), mirror=False)

    def refusal(self, url: str) -> str | None:
        """Why url may not be fetched, from its text alone; None when it may."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS:
            return f"scheme {scheme or '(none)'!r} is not http(s)"
        if not _CLEAN_NETLOC.fullmatch(parts.netloc):
            return f"host part {parts.netloc!r} is malformed or carries credentials"
        try:
            port = parts.port or DEFAULT_PORTS[scheme]
        except ValueError:
            return f"port of {parts.netloc!r} is not a number"
        host = (parts.hostname or "").rstrip(".")
        if not any(o.admits(host, port) for o in self.origins):
            allowed = ", ".join(o.host + (f":{o.port}" if o.port else "") for o in self.origins)
            return f"off-site host {host}:{port} (this crawl fetches only {allowed})"
        if not self.mirror:
            ip = ip_literal(host)
            if ip is not None and not is_public(ip):
                return f"{host} is an internal address"
        return None

    def needs_lookup(self, url: str) -> str | None:
        """The host name to resolve and check for internal addresses, if any."""
        host = (urlsplit(url).hostname or "").rstrip(".")
        if self.mirror or not host or ip_literal(host) is not None:
            return None
        return host


def ip_literal(host: str) -> IP | None:
    """The address a host written as an IP literal names (dotted, IPv6, decimal or hex)."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    if _NUMERIC_HOST.fullmatch(host.lower()):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def is_public(ip: IP) -> bool:
    """A globally routable unicast address: not private, loopback, link-local, reserved…"""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def internal_address(host: str) -> str | None:
    """The first internal address host resolves to, or None (also when it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None  # the download reports the DNS failure itself
    for info in infos:
        address = str(info[4][0]).split("%", 1)[0]  # drop an IPv6 zone id
        if not is_public(ipaddress.ip_address(address)):
            return address
    return None
