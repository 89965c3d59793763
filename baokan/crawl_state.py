"""Is an issue already complete in the raw zone? Decided from its manifest and stored pages."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from baokan.models import Problem
from baokan.rawzone import (
    MANIFEST_LINE,
    POLICY_KINDS,
    RAW_OBJECT,
    ManifestRow,
    RawObjectError,
    RawZone,
    is_no_issue,
)
from baokan.sites import SiteProfile
from parsers.decode import decode_html
from parsers.layout import parse_layout


def issue_state(zone: RawZone, profile: SiteProfile, day: str) -> str:
    """'absent', 'partial', 'complete', or 'no_issue' (a 4xx index fetched after the day ended).

    Complete means every link of every stored page index page (pages, PDF, articles) has a
    200 row whose stored object verifies (or an off-site row): an interrupted or failing crawl,
    or a damaged raw zone, is never mistaken for a finished one. An issue that hit a crawl
    cap is complete with what was within the cap.
    """
    return issue_check(zone, profile, day)[0]


def issue_check(zone: RawZone, profile: SiteProfile, day: str) -> tuple[str, list[Problem]]:
    """The issue's state and the raw-zone damage found (bad manifest lines, bad objects)."""
    read = zone.read_manifest_checked(profile.id, day)
    problems = [p for p in read.problems if p.kind == MANIFEST_LINE]
    rows = {r.url: r for r in read.rows}
    for row in rows.values():
        damage = zone.verify(row.sha256) if row.status == 200 and row.sha256 else None
        if damage:
            problems.append(Problem(RAW_OBJECT, row.url, damage))
    return _state(zone, profile, day, rows, bool(problems)), problems


def _state(
    zone: RawZone, profile: SiteProfile, day: str, rows: dict[str, ManifestRow], damaged: bool
) -> str:
    entry = rows.get(profile.entry_url(date.fromisoformat(day)))
    if entry is None:
        return "absent"
    if is_no_issue(entry.status):
        # A 404 fetched on the day itself may just be an early look: check again later.
        return "no_issue" if _after_day(entry.fetched_at, day, profile.timezone) else "absent"
    # Off-site and capped rows are the policy's doing, not failures; an entry refused is one.
    failed = [r for r in rows.values() if r.status != 200 or not r.sha256]
    if damaged or entry.kind in POLICY_KINDS or any(r.kind not in POLICY_KINDS for r in failed):
        return "partial"
    if any(r.kind == "capped" for r in rows.values()):
        return "complete"  # links beyond a cap are missing on purpose
    for row in rows.values():
        if row.kind != "layout":
            continue
        try:
            body = zone.get(row.sha256 or "")
        except RawObjectError:
            return "partial"  # damaged since it was verified a moment ago: fetch it again
        html = decode_html(body, row.content_type, profile.charset)
        page = parse_layout(html, row.url, profile)
        links = [p.url for p in page.pages] + [a.url for a in page.articles]
        links += [a.url for a in page.areas]
        if page.pdf_url:
            links.append(page.pdf_url)
        if any(link not in rows for link in links):
            return "partial"
    return "complete"


def _after_day(fetched_at: str, day: str, timezone: str) -> bool:
    tz = ZoneInfo(timezone)
    end = datetime.combine(date.fromisoformat(day) + timedelta(days=1), datetime.min.time(), tz)
    try:
        return datetime.fromisoformat(fetched_at) >= end
    except ValueError:
        return False
