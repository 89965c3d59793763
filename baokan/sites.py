"""Site profiles: one TOML file per newspaper, validated with errors naming file and field."""

from __future__ import annotations

import codecs
import logging
import re
import string
import tomllib
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from baokan.config import Settings
from parsers import PDF_ENGINES
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
    "pdf_engine",
)


# What `entry` may use: each is a plain string, so no format spec, conversion or attribute.
ENTRY_PLACEHOLDERS = ("yyyy", "yyyymm", "mm", "dd", "date")
# Cron fields of a schedule: name, lowest and highest value, names allowed instead of numbers.
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
CRON_FIELDS: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, _MONTHS),
    ("day of week", 0, 7, _DAYS),  # 0 and 7 are both Sunday
)

log = logging.getLogger(__name__)
# Messages already logged by this process: every command loads the profiles many times.
_LOGGED: set[str] = set()


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
    # What reads the page PDFs: 'pdfplumber' (pdfminer) or 'pdfium' (pypdfium2, faster);
    # the same articles either way (parsers.pdfium_page). BAOKAN_PDF_ENGINE overrides it.
    pdf_engine: str = "pdfplumber"
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


def _check_no_nul(value: Any, source: str, name: str = "") -> None:
    """No NUL character in any key or string, however deep: it truncates C-level strings."""
    if isinstance(value, str) and "\x00" in value:
        raise SiteProfileError(f"{source}: field '{name}': contains a NUL character")
    if isinstance(value, dict):
        for key, item in value.items():
            full = f"{name}.{key}" if name else str(key)
            _check_no_nul(key, source, full)
            _check_no_nul(item, source, full)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_no_nul(item, source, f"{name}[{index}]")


def _check_selectors(selectors: dict[str, str], source: str) -> None:
    """Compile every selector now, so a typo names its file and field, not a page it broke."""
    import soupsieve  # imports bs4 and lxml: only where selectors are checked

    for name, css in selectors.items():
        try:
            soupsieve.compile(css)
        except Exception as exc:  # soupsieve raises SelectorSyntaxError and plain ValueErrors
            raise SiteProfileError(
                f"{source}: field 'selectors.{name}': invalid CSS selector {css!r}: "
                f"{str(exc).splitlines()[0]}"
            ) from None


def _entry_problem(entry: str) -> str | None:
    """Why ``entry`` cannot be formatted with the known placeholders, or None."""
    try:
        parts = list(string.Formatter().parse(entry))
    except ValueError as exc:
        return f"malformed placeholder in {entry!r}: {exc}"
    known = ", ".join("{" + p + "}" for p in ENTRY_PLACEHOLDERS)
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        # {date.year}, {x[0]} and {} all land here: only the bare known names are allowed.
        if name not in ENTRY_PLACEHOLDERS:
            return f"unknown placeholder {{{name}}} in {entry!r} (known: {known})"
        if spec or conversion:
            return f"placeholder {{{name}}} in {entry!r} takes no conversion or format spec"
    return None


def _cron_problem(expr: str) -> str | None:
    """Why ``expr`` is not a 5-field cron expression with every value in range, or None."""
    fields = expr.split()
    if len(fields) != 5:
        return f"expected a 5-field cron expression (minute hour day month weekday), got {expr!r}"
    for text, (name, low, high, names) in zip(fields, CRON_FIELDS, strict=True):
        if not all(_cron_part_ok(part, low, high, names) for part in text.lower().split(",")):
            return f"{name} {text!r} in {expr!r}: values must be in {low}-{high}"
    return None


def _cron_part_ok(part: str, low: int, high: int, names: tuple[str, ...]) -> bool:
    """One comma-separated part of a cron field: *, N, N-M, each optionally /STEP."""
    base, slash, step = part.partition("/")
    if slash and not (step.isdigit() and int(step) > 0):
        return False
    if base == "*":
        return True
    ends = base.split("-")
    return len(ends) <= 2 and all(_cron_value_ok(v, low, high, names) for v in ends)


def _cron_value_ok(value: str, low: int, high: int, names: tuple[str, ...]) -> bool:
    if value in names:
        return True
    return value.isdigit() and low <= int(value) <= high


def parse_profile(
    data: dict[str, Any], source: str, *, check_selectors: bool = True
) -> SiteProfile:
    """Validate a decoded profile; every error names the file and the field.

    ``check_selectors`` compiles each selector with soupsieve, which imports bs4 and lxml:
    the DAG files skip it to stay thin (the tasks load the profile again, fully checked).
    """
    _check_no_nul(data, source)
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
    if check_selectors:
        _check_selectors(selectors, source)
    problem = _entry_problem(data["entry"])
    if problem:
        raise SiteProfileError(f"{source}: field 'entry': {problem}")
    schedule = data.get("schedule", "30 6 * * *")
    problem = _cron_problem(schedule) if isinstance(schedule, str) else "expected a string"
    if problem:
        raise SiteProfileError(f"{source}: field 'schedule': {problem}")
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
            codec = codecs.lookup(charset)
        except LookupError:
            raise SiteProfileError(
                f"{source}: field 'charset': unknown charset {charset!r}"
            ) from None
        # base64, rot13, zlib… are codecs too, but bytes-to-bytes or str-to-str: no charset.
        if not codec._is_text_encoding:
            raise SiteProfileError(f"{source}: field 'charset': {charset!r} is not a text encoding")
    convert = data.get("convert", "")
    if convert != "" and convert not in CONVERSIONS:
        raise SiteProfileError(
            f"{source}: field 'convert': expected one of {', '.join(CONVERSIONS)}"
        )
    engine = data.get("pdf_engine", "pdfplumber")
    if engine not in PDF_ENGINES:
        raise SiteProfileError(
            f"{source}: field 'pdf_engine': expected one of {', '.join(PDF_ENGINES)}, "
            f"got {engine!r}"
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
        "pdf_engine": engine,
    }


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SiteProfileError(f"{path}: cannot read profile: {exc}") from exc


def load_profile_file(path: Path, *, check_selectors: bool = True) -> SiteProfile:
    """Read and validate one profile file."""
    return parse_profile(_read_toml(path), str(path), check_selectors=check_selectors)


@dataclass(frozen=True)
class SiteCatalog:
    """Every profile found: the good ones by id, the broken ones by id with their error."""

    sites: dict[str, SiteProfile]
    # Keyed by the id the file declares, else by its file name: 'mypaper.toml' → 'mypaper'.
    broken: dict[str, SiteProfileError]
    # Things that are not one site's error: replaced shipped profiles, a missing sites dir.
    notes: tuple[str, ...] = ()


def _log_once(level: int, message: str) -> None:
    if message not in _LOGGED:
        _LOGGED.add(message)
        log.log(level, "%s", message)


def _profile_files(settings: Settings, notes: list[str]) -> tuple[list[Path], int]:
    """The shipped profile files, then the user's; and how many are shipped."""
    builtin = resources.files("baokan") / "profiles"
    files = sorted(Path(str(p)) for p in builtin.iterdir() if p.name.endswith(".toml"))
    shipped = len(files)
    if settings.sites_dir:
        if settings.sites_dir.is_dir():
            files += sorted(settings.sites_dir.glob("*.toml"))
        else:
            notes.append(f"BAOKAN_SITES_DIR={settings.sites_dir} is not a directory: ignored")
    return files, shipped


def _broken_key(path: Path) -> str:
    """The id a broken file declares if it is a valid one, else its file name made into one."""
    try:
        declared = _read_toml(path).get("id")
    except SiteProfileError:
        declared = None
    if isinstance(declared, str) and SITE_ID.fullmatch(declared):
        return declared
    return re.sub(r"[^a-z0-9_\-]", "_", path.stem.lower())[:64] or "_"


def load_catalog(settings: Settings | None = None, *, check_selectors: bool = True) -> SiteCatalog:
    """All profiles, each file on its own: a broken one is set aside with its error.

    User files (BAOKAN_SITES_DIR) come after the shipped ones and win on the same id, with a
    note naming both files; a broken user file for a shipped id takes that site out too,
    rather than silently crawling with the profile the user meant to replace.
    """
    notes: list[str] = []
    files, shipped = _profile_files(settings or Settings.from_env(), notes)
    sites: dict[str, SiteProfile] = {}
    broken: dict[str, SiteProfileError] = {}
    for path in files:
        try:
            profile = load_profile_file(path, check_selectors=check_selectors)
        except SiteProfileError as exc:
            key = _broken_key(path)
            if key in sites:
                replaced = sites.pop(key).source
                notes.append(
                    f"{path} is broken: site {key!r} is not loaded, not even from {replaced}"
                )
            broken[key] = exc
            continue
        previous = sites.get(profile.id)
        if previous is not None:
            kind = "shipped" if Path(previous.source) in files[:shipped] else "user"
            notes.append(
                f"{path} replaces the {kind} profile {previous.source} of site {profile.id!r}"
            )
        broken.pop(profile.id, None)
        sites[profile.id] = profile
    for note in notes:
        _log_once(logging.WARNING, f"site profiles: {note}")
    for error in broken.values():
        _log_once(logging.ERROR, f"site profile skipped: {error}")
    return SiteCatalog(sites=sites, broken=broken, notes=tuple(notes))


def load_sites(
    settings: Settings | None = None, *, check_selectors: bool = True
) -> dict[str, SiteProfile]:
    """The good profiles by id (see load_catalog; broken ones are logged and left out)."""
    return load_catalog(settings, check_selectors=check_selectors).sites


def get_site(site_id: str, settings: Settings | None = None) -> SiteProfile:
    """One profile by id; its own error if its file is broken; else the known ids."""
    catalog = load_catalog(settings)
    if site_id in catalog.sites:
        return catalog.sites[site_id]
    if site_id in catalog.broken:
        raise catalog.broken[site_id]
    known = ", ".join(sorted(catalog.sites))
    extra = f"; broken: {', '.join(sorted(catalog.broken))}" if catalog.broken else ""
    notes = "".join(f"; {n}" for n in catalog.notes)
    raise SiteProfileError(f"unknown site {site_id!r} (known: {known}{extra}){notes}")
