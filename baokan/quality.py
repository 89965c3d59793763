"""Data-quality checks for one issue; every failure names the site, date, step and numbers.

The checks read the per-stage outputs (parsed issue, per-page text statistics, staged issue,
warehouse row counts) and never the network. ``check_issue`` returns the failures;
``assert_quality`` raises one :class:`QualityError` listing all of them, so a failed
Airflow task's log says everything that is wrong at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from baokan.models import IssueRecord

# A page whose PDF text has more than this share of junk characters is garbled.
GARBLED_CHAR_SHARE = 0.05
# More than this share of an issue's PDF pages garbled (or without a text layer) fails.
MAX_GARBLED_PAGE_SHARE = 0.25

_CID = re.compile(r"\(cid:\d+\)")


class QualityError(RuntimeError):
    """One or more quality checks failed; the message lists every failure."""


@dataclass(frozen=True)
class Failure:
    """One failed check."""

    site_id: str
    issue_date: str
    step: str
    check: str
    message: str

    def __str__(self) -> str:
        return f"{self.site_id} {self.issue_date} [step {self.step}] {self.check}: {self.message}"


def garbled_chars(text: str) -> int:
    """How many characters of a PDF text layer are junk: (cid:N), private use, U+FFFD, Latin-1."""
    count = sum(len(m) for m in _CID.findall(text))
    for ch in _CID.sub("", text):
        code = ord(ch)
        if (
            0xE000 <= code <= 0xF8FF
            or code == 0xFFFD
            or 0x80 <= code <= 0xBF
            or 0xC0 <= code <= 0xFF
        ):
            count += 1
    return count


def text_stats(text: str) -> dict[str, int]:
    """Non-space characters and junk characters of one page's PDF text."""
    return {"chars": sum(not c.isspace() for c in text), "garbled": garbled_chars(text)}


def _page_garbled(page: dict[str, Any]) -> str | None:
    """Why a page (as in the per-page stats) counts as garbled, or None."""
    if page.get("text_layer") == "none":
        return "no text layer"
    if page.get("text_layer") == "ocr":
        # Recovered, but a paper whose PDFs need OCR has changed its fonts: operators must know.
        return "text layer unusable, recovered by OCR"
    chars, junk = page.get("chars", 0), page.get("garbled", 0)
    if chars and junk / chars > GARBLED_CHAR_SHARE:
        return f"{junk}/{chars} junk chars ({junk / chars:.0%})"
    return None


def check_pages(issue: IssueRecord) -> list[Failure]:
    """An issue that exists must list pages, parse all of them and yield articles."""
    out: list[Failure] = []
    fail = _failer(issue, out)
    if issue.status == "missing":
        return out  # the index answered 404/410: no issue that day
    if issue.pages_listed == 0:
        cause = "; ".join(
            f"{p.kind} {p.source}: {p.message}" for p in issue.problems if p.kind == "index_fetch"
        )
        message = "0 pages listed (index page not fetched or not parseable)"
        fail("crawl", "pages", f"{message} — {cause}" if cause else message)
    if issue.pages_listed and not issue.articles:
        fail("parse", "articles", f"0 articles from {issue.pages_listed} listed pages")
    broken = [p for p in issue.pages if not p.parsed]
    if broken:
        lines = []
        for page in broken:
            sources = {page.url, page.pdf_url}
            why = [
                f"{p.kind} {p.source}: {p.message}" for p in issue.problems if p.source in sources
            ]
            lines.append(f"page {page.label}: " + ("; ".join(why) or "not parsed"))
        fail(
            "parse",
            "unparsed pages",
            f"{len(broken)} of {issue.pages_listed} pages not parsed — " + " | ".join(lines),
        )
    return out


def check_garbled(issue: IssueRecord, page_stats: list[dict[str, Any]]) -> list[Failure]:
    """Too many pages whose PDF text layer is junk, absent or only readable through OCR fails."""
    out: list[Failure] = []
    with_pdf = [p for p in page_stats if p.get("text_layer")]
    bad = [(p["label"], why) for p in with_pdf if (why := _page_garbled(p))]
    if with_pdf and len(bad) / len(with_pdf) > MAX_GARBLED_PAGE_SHARE:
        detail = ", ".join(f"page {label}: {why}" for label, why in bad)
        _failer(issue, out)(
            "parse",
            "garbled pages",
            f"{len(bad)} of {len(with_pdf)} PDF pages garbled "
            f"(> {MAX_GARBLED_PAGE_SHARE:.0%} allowed) — {detail}",
        )
    return out


def check_coverage(issue: IssueRecord) -> list[Failure]:
    """Every character of every page PDF must be placed: a page under 1.0 names what was left."""
    out: list[Failure] = []
    short = [p for p in issue.pages if p.coverage is not None and p.coverage < 1.0]
    if short:
        details = []
        for page in short:
            blocks = [b for b in issue.unassigned if b.page_label == page.label]
            first = f", first {blocks[0].text[:24]!r} at {blocks[0].bbox}" if blocks else ""
            details.append(
                f"page {page.label} ({page.pdf_url}): coverage {page.coverage:.4f} of "
                f"{page.chars} characters, {len(blocks)} unassigned blocks{first}"
            )
        _failer(issue, out)(
            "parse",
            "coverage",
            f"{len(short)} pages with text the parser gave no role (kept in "
            f"core.unassigned_blocks) — " + " | ".join(details),
        )
    return out


def check_similarity(
    issue: IssueRecord, page_stats: list[dict[str, Any]], threshold: float
) -> list[Failure]:
    """Mean HTML↔PDF similarity of HTML articles on pages with a PDF text layer, vs the site's minimum.

    An HTML article that matched no PDF region counts as similarity 0: an unreadable page
    must not hide behind the pages that matched well.
    """
    out: list[Failure] = []
    text_pages = {p["label"] for p in page_stats if p.get("text_layer") == "pdf"}
    arts = [a for a in issue.articles if a.url and a.page_label in text_pages]
    if not arts:
        return out
    sims = [a.pdf_html_similarity or 0.0 for a in arts]
    mean = sum(sims) / len(sims)
    if mean < threshold:
        unmatched = sum(a.text_source != "both" for a in arts)
        worst = sorted(arts, key=lambda a: a.pdf_html_similarity or 0.0)[:3]
        detail = ", ".join(
            f"page {a.page_label} {a.title[:20]!r}={a.pdf_html_similarity or 0.0:.2f}"
            for a in worst
        )
        _failer(issue, out)(
            "reconcile",
            "HTML↔PDF similarity",
            f"mean {mean:.2f} < site minimum {threshold:.2f} over {len(arts)} HTML articles "
            f"({unmatched} without a PDF match); lowest: {detail}",
        )
    return out


def check_counts(stages: dict[str, dict[str, int]], issue: IssueRecord) -> list[Failure]:
    """Row counts (pages, articles, ads) must agree between consecutive stages."""
    out: list[Failure] = []
    names = list(stages)
    for before, after in pairwise(names):
        for key, n_before in stages[before].items():
            n_after = stages[after].get(key)
            if n_after is not None and n_after != n_before:
                _failer(issue, out)(
                    after,
                    "row counts",
                    f"{key}: {n_before} after {before} but {n_after} after {after}",
                )
    return out


def check_issue(
    parsed: IssueRecord,
    page_stats: list[dict[str, Any]],
    stages: dict[str, dict[str, int]],
    threshold: float,
) -> list[Failure]:
    """Every check for one issue; an empty list means it passed."""
    return [
        *check_pages(parsed),
        *check_garbled(parsed, page_stats),
        *check_coverage(parsed),
        *check_similarity(parsed, page_stats, threshold),
        *check_counts(stages, parsed),
    ]


def assert_quality(failures: list[Failure]) -> None:
    """Raise one QualityError listing every failure (nothing when the list is empty)."""
    if failures:
        lines = "\n".join(f"  - {f}" for f in failures)
        raise QualityError(f"{len(failures)} quality check(s) failed:\n{lines}")


def stage_counts(issue: IssueRecord) -> dict[str, int]:
    """The counts compared between stages."""
    return {"pages": len(issue.pages), "articles": len(issue.articles), "ads": len(issue.ads)}


def _failer(issue: IssueRecord, out: list[Failure]) -> Any:
    def fail(step: str, check: str, message: str) -> None:
        out.append(Failure(issue.site_id, issue.issue_date, step, check, message))

    return fail
