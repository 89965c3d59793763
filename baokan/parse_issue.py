"""Parse one crawled issue from the raw zone: page index pages, article pages, page PDFs."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import date

from baokan import PARSER_VERSION
from baokan.models import (
    AdRecord,
    ArticleRecord,
    BlockRecord,
    IssueRecord,
    PageRecord,
    Problem,
)
from baokan.rawzone import RAW_OBJECT, ManifestRow, RawObjectError, RawZone, is_no_issue
from baokan.sites import SiteProfile
from parsers import PDF_ENGINES, ParseError
from parsers.article_html import HtmlArticle, parse_article_html
from parsers.byline import split_byline
from parsers.decode import decode_html
from parsers.layout import LayoutPage, PageLink, parse_layout
from parsers.pdf_guard import PdfTooLarge
from parsers.pdf_page import PdfArticle, PdfPage, parse_pdf
from parsers.reconcile import Candidate, match, scale_bbox

ENGINE_ENV = "BAOKAN_PDF_ENGINE"  # set by `--pdf-engine`; wins over the profile's pdf_engine


def pdf_engine(profile: SiteProfile) -> str:
    """The engine that reads this site's page PDFs: BAOKAN_PDF_ENGINE, else the profile's."""
    engine = os.environ.get(ENGINE_ENV) or profile.pdf_engine
    if engine not in PDF_ENGINES:
        raise ValueError(
            f"{ENGINE_ENV}={engine!r}: unknown PDF engine (known: {', '.join(PDF_ENGINES)})"
        )
    return engine


def stable_id(*parts: object) -> str:
    """A key that stays the same when the same thing is parsed again."""
    return hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:20]


MIN_PDF_ONLY_BODY = 30  # characters a headline-less PDF region needs to be an article
# Caps on what one issue may hold, so a hostile or broken index costs bounded memory and
# time; real issues have at most a few dozen pages and a few hundred articles. The excess is
# not parsed and is recorded as a problem naming the cap and the URL; the rest loads.
MAX_PAGES = 200
MAX_ARTICLES = 5_000


@dataclass
class _Ctx:
    profile: SiteProfile
    zone: RawZone
    issue: IssueRecord
    rows: dict[str, ManifestRow]

    def problem(self, kind: str, source: str, message: str) -> None:
        # Parse errors name their source themselves; the record keeps it in its own field.
        self.issue.problems.append(Problem(kind, source, message.removeprefix(f"{source}: ")))

    def fetched(self, url: str, kind: str) -> bytes | None:
        """Bytes of a fetched URL, or None after recording why there are none."""
        row = self.rows.get(url)
        if row is None:
            self.problem(f"{kind}_fetch", url, "not fetched (absent from the crawl manifest)")
        elif row.status != 200 or not row.sha256:
            self.problem(f"{kind}_fetch", url, row.error or f"HTTP {row.status}")
        else:
            try:
                return self.zone.get(row.sha256)
            except RawObjectError as exc:  # damaged raw zone: named, and `ingest` re-fetches it
                self.problem(RAW_OBJECT, url, str(exc))
        return None

    def html(self, url: str, kind: str) -> str | None:
        body = self.fetched(url, kind)
        return (
            None
            if body is None
            else decode_html(body, self.rows[url].content_type, self.profile.charset)
        )


def parse_issue(profile: SiteProfile, issue_date: str, zone: RawZone) -> IssueRecord:
    """Everything one issue's raw files say; bad input is recorded as problems, never raised."""
    issue, listed = open_issue(profile, issue_date, zone)
    ctx = _Ctx(profile, zone, issue, {r.url: r for r in zone.read_manifest(profile.id, issue_date)})
    for position, link in enumerate(listed, 1):
        _parse_page(ctx, link, position)
    return finish_issue(issue)


def open_issue(
    profile: SiteProfile, issue_date: str, zone: RawZone
) -> tuple[IssueRecord, list[PageLink]]:
    """The issue record with its index parsed, and its listed pages (none if missing/failed)."""
    rows = zone.read_manifest(profile.id, issue_date)
    if not rows:
        path = zone.manifest_path(profile.id, issue_date)
        raise FileNotFoundError(
            f"{profile.id} {issue_date}: not crawled yet (no manifest at {path})"
        )
    issue = IssueRecord(profile.id, profile.publication, issue_date, "complete", PARSER_VERSION)
    ctx = _Ctx(profile, zone, issue, {r.url: r for r in rows})
    entry = profile.entry_url(date.fromisoformat(issue_date))
    row = ctx.rows.get(entry)
    if row is not None and is_no_issue(row.status):
        issue.status = "missing"
        return issue, []
    html = ctx.html(entry, "index")
    if html is None:
        issue.status = "failed"
        return issue, []
    first = parse_layout(html, entry, profile)
    listed = first.pages or [PageLink(entry, first.label or "1", first.name or "")]
    if len(listed) > MAX_PAGES:
        ctx.problem(
            "too_many_pages",
            entry,
            f"the index lists {len(listed)} pages; only the first {MAX_PAGES} (the cap per "
            f"issue) are parsed",
        )
        listed = listed[:MAX_PAGES]
    listed = unique_labels(ctx, entry, listed)
    issue.pages_listed = len(listed)
    return issue, listed


def unique_labels(ctx: _Ctx, index_url: str, links: list[PageLink]) -> list[PageLink]:
    """The page list with every label unique: a repeated label gets -2, -3, … in list order
    (A1, A1-2), never one another page already has; each repeat is a problem naming the
    pages' URLs. Pages are keyed by label, and two of one label would fail the whole load."""
    taken = {link.label for link in links}
    seen: dict[str, list[PageLink]] = {}
    out = []
    for link in links:
        same = seen.setdefault(link.label, [])
        if same:
            n = len(same) + 1
            while f"{link.label}-{n}" in taken:
                n += 1
            taken.add(label := f"{link.label}-{n}")
            link = PageLink(link.url, label, link.name)
        same.append(link)
        out.append(link)
    for label, pages in seen.items():
        if len(pages) > 1:
            ctx.problem(
                "page_label_duplicate",
                index_url,
                f"{len(pages)} pages are labelled {label!r}; loaded as "
                + ", ".join(f"{p.label} ({p.url})" for p in pages),
            )
    return out


def parse_page(
    profile: SiteProfile, issue_date: str, zone: RawZone, link: PageLink, position: int
) -> tuple[IssueRecord, PdfPage | None]:
    """One page alone: a partial issue record holding that page's rows, and its parsed PDF."""
    issue = IssueRecord(profile.id, profile.publication, issue_date, "complete", PARSER_VERSION)
    rows = {r.url: r for r in zone.read_manifest(profile.id, issue_date)}
    return issue, _parse_page(_Ctx(profile, zone, issue, rows), link, position)


def finish_issue(issue: IssueRecord) -> IssueRecord:
    """Set the status of an issue whose pages have all been parsed."""
    if len(issue.articles) > MAX_ARTICLES:  # pages parsed apart, each within the cap
        first = issue.articles[MAX_ARTICLES]
        source = next((p.url for p in issue.pages if p.label == first.page_label), first.url)
        issue.problems.append(
            Problem(
                "too_many_articles",
                source or "",
                f"{len(issue.articles)} articles; only the first {MAX_ARTICLES} (the cap per "
                "issue) are kept, the rest from this page on are not loaded",
            )
        )
        del issue.articles[MAX_ARTICLES:]
    if issue.status not in ("missing", "failed"):
        issue.status = _status(issue)
    return issue


def _status(issue: IssueRecord) -> str:
    if not issue.articles:
        return "failed"
    if issue.problems or issue.pages_parsed < issue.pages_listed:
        return "partial"
    return "complete"


def _parse_page(ctx: _Ctx, link: PageLink, position: int) -> PdfPage | None:
    page = PageRecord(label=link.label, name=link.name or None, url=link.url, position=position)
    ctx.issue.pages.append(page)
    html = ctx.html(link.url, "page")
    if html is None:
        return None
    page.fetched = True
    layout = parse_layout(html, link.url, ctx.profile)
    page.name = page.name or layout.name
    pdf = _page_pdf(ctx, layout, page)
    htmls = _html_articles(ctx, layout)
    _add_articles(ctx, page, layout, htmls, pdf)
    return pdf


def _page_pdf(ctx: _Ctx, layout: LayoutPage, page: PageRecord) -> PdfPage | None:
    if not layout.pdf_url:
        page.parsed = True  # an HTML-only page: nothing more to parse
        return None
    page.pdf_url = layout.pdf_url
    data = ctx.fetched(layout.pdf_url, "pdf")
    if data is None:
        return None
    page.pdf_sha256 = ctx.rows[layout.pdf_url].sha256
    try:
        engine = pdf_engine(ctx.profile)
        pdf = parse_pdf(data, layout.pdf_url, convert=ctx.profile.convert, engine=engine)[0]
    except PdfTooLarge as exc:
        ctx.problem("pdf_too_large", layout.pdf_url, str(exc))
        return None
    except ParseError as exc:
        ctx.problem("pdf_parse", layout.pdf_url, str(exc))
        return None
    page.text_layer, page.parsed = pdf.text_layer, True
    page.chars, page.coverage = pdf.chars, round(pdf.coverage, 4)
    for block in pdf.unassigned:
        _keep_block(ctx, page, block.text, block.bbox, "no role")
    if pdf.unassigned:
        ctx.problem(
            "pdf_unassigned",
            layout.pdf_url,
            f"coverage {pdf.coverage:.4f}: {sum(len(b.text) for b in pdf.unassigned)} characters "
            f"in {len(pdf.unassigned)} blocks the parser gave no role, kept in "
            f"core.unassigned_blocks (first: {pdf.unassigned[0].text[:30]!r})",
        )
    if pdf.text_layer == "none":
        reason = "; ".join(pdf.notes) or "page PDF has no text layer"
        ctx.problem("pdf_no_text", layout.pdf_url, reason)
    elif pdf.dropped_lines:  # garbled lines left out: the page is loaded, but not whole
        ctx.problem("pdf_garbled_lines", layout.pdf_url, "; ".join(pdf.notes))
    return pdf


def _html_articles(ctx: _Ctx, layout: LayoutPage) -> dict[str, HtmlArticle | None]:
    """Every linked article page, parsed; None where it could not be fetched or parsed."""
    out: dict[str, HtmlArticle | None] = {}
    urls = list(dict.fromkeys([a.url for a in layout.articles] + [a.url for a in layout.areas]))
    room = max(MAX_ARTICLES - len(ctx.issue.articles), 0)
    if len(urls) > room:
        extra = f"{len(urls) - room} of its {len(urls)} article pages (not parsed)"
        _over_cap(ctx, layout.url, extra)
        urls = urls[:room]
    for url in urls:
        html = ctx.html(url, "article")
        out[url] = None
        if html is None:
            continue
        try:
            out[url] = parse_article_html(html, url, ctx.profile)
        except ParseError as exc:
            ctx.problem("article_parse", url, str(exc))
    return out


def _over_cap(ctx: _Ctx, url: str, what: str) -> None:
    """Record that the issue's article cap left out `what` of the page at `url`."""
    ctx.problem(
        "too_many_articles",
        url,
        f"{what} left out: the issue reached its cap of {MAX_ARTICLES} articles",
    )


def _pdf_text(a: PdfArticle) -> str:
    return "\n".join([a.headline, *a.paragraphs])


def _html_candidates(
    layout: LayoutPage, htmls: dict[str, HtmlArticle | None], pdf: PdfPage
) -> list[Candidate]:
    areas = {a.url: a.bbox() for a in layout.areas}
    out = []
    for url, art in htmls.items():
        box = areas.get(url)
        if box and layout.image_size:
            box = scale_bbox(box, layout.image_size, (pdf.width, pdf.height))
        text = "\n".join([art.title, *art.paragraphs]) if art else ""
        if text or box:
            out.append(Candidate(url, text, box if layout.image_size else None))
    return out


def _add_articles(
    ctx: _Ctx,
    page: PageRecord,
    layout: LayoutPage,
    htmls: dict[str, HtmlArticle | None],
    pdf: PdfPage | None,
) -> None:
    pdf_arts = {str(i): a for i, a in enumerate(pdf.articles)} if pdf else {}
    pairs = {}
    if pdf is not None:
        pdf_cands = [Candidate(k, _pdf_text(a), a.bbox) for k, a in pdf_arts.items()]
        pairs = match(_html_candidates(layout, htmls, pdf), pdf_cands)
    position = 0
    for url, art in htmls.items():
        pdf_key, sim = pairs.get(url, (None, None))
        region = pdf_arts.get(pdf_key) if pdf_key else None
        if art is None and region is None:
            continue  # already counted as a problem; nothing to load
        position += 1
        ctx.issue.articles.append(_record(ctx, page, position, url, art, region, sim))
    matched = {key for key, _ in pairs.values()}
    for n, (key, region) in enumerate(pdf_arts.items()):
        if key in matched:
            continue
        if len(ctx.issue.articles) >= MAX_ARTICLES:
            left = sum(k not in matched for k in list(pdf_arts)[n:])
            _over_cap(ctx, layout.pdf_url or page.url, f"{left} unmatched regions of its PDF")
            break
        # A region no HTML page claims is still an article if it has a headline or a body;
        # a fragment too small to be one is kept as an unassigned block, and counted.
        if region.headline or sum(map(len, region.paragraphs)) >= MIN_PDF_ONLY_BODY:
            position += 1
            ctx.issue.articles.append(_record(ctx, page, position, None, None, region, None))
        else:
            _unmatched_fragment(ctx, page, region, pdf_url=layout.pdf_url or page.url)
    if pdf is not None:
        for i, ad in enumerate(pdf.ads, 1):
            ctx.issue.ads.append(
                AdRecord(
                    ad_id=stable_id(ctx.profile.id, ctx.issue.issue_date, page.label, "ad", i),
                    site_id=ctx.profile.id,
                    issue_date=ctx.issue.issue_date,
                    page_label=page.label,
                    position=i,
                    text=ad.text,
                    bbox=list(ad.bbox),
                    pdf_sha256=page.pdf_sha256,
                    kind=ad.kind,
                )
            )


def _keep_block(
    ctx: _Ctx, page: PageRecord, text: str, bbox: tuple[float, ...], reason: str
) -> None:
    """An unassigned block of a page, stored in core.unassigned_blocks."""
    position = sum(b.page_label == page.label for b in ctx.issue.unassigned) + 1
    ctx.issue.unassigned.append(
        BlockRecord(
            block_id=stable_id(ctx.profile.id, ctx.issue.issue_date, page.label, "block", position),
            site_id=ctx.profile.id,
            issue_date=ctx.issue.issue_date,
            page_label=page.label,
            position=position,
            text=text,
            bbox=list(bbox),
            pdf_sha256=page.pdf_sha256,
            reason=reason,
        )
    )


def _unmatched_fragment(ctx: _Ctx, page: PageRecord, region: PdfArticle, pdf_url: str) -> None:
    """A PDF region without headline, too short to be an article, that no HTML page claims."""
    parts = [region.kicker, region.subtitle, region.byline, *region.paragraphs]
    parts += region.captions + region.continuations
    text = "\n".join(p for p in parts if p)
    if not text:
        return
    _keep_block(ctx, page, text, region.bbox, "unmatched fragment")
    ctx.problem(
        "pdf_unassigned",
        pdf_url,
        f"{len(text)} characters at {list(region.bbox)} matched no article page and are too "
        f"short for an article of their own, kept in core.unassigned_blocks: {text[:30]!r}",
    )


def _record(
    ctx: _Ctx,
    page: PageRecord,
    position: int,
    url: str | None,
    art: HtmlArticle | None,
    region: PdfArticle | None,
    sim: float | None,
) -> ArticleRecord:
    """One article appearance; HTML fields win, the PDF region adds its box (and text if needed)."""
    issue = ctx.issue
    key = url or f"pdf:{page.pdf_sha256}:{region.bbox if region else ''}"
    if art is not None:
        kicker, title, subtitle, author = art.kicker, art.title, art.subtitle, art.author
        body = "\n".join(art.paragraphs)
    else:
        assert region is not None
        kicker, title, subtitle, author = (
            region.kicker,
            region.headline,
            region.subtitle,
            region.byline,
        )
        body = "\n".join(region.paragraphs)
    source = "both" if art and region else ("html" if art else "pdf")
    byline = split_byline(author)
    return ArticleRecord(
        article_id=stable_id(issue.site_id, issue.issue_date, page.label, key),
        site_id=issue.site_id,
        issue_date=issue.issue_date,
        page_label=page.label,
        position=position,
        kicker=kicker,
        title=title,
        subtitle=subtitle,
        author=author,
        body=body,
        url=url,
        html_sha256=ctx.rows[url].sha256 if url and url in ctx.rows else None,
        pdf_sha256=page.pdf_sha256 if region else None,
        bbox=list(region.bbox) if region else None,
        text_source=source,
        pdf_html_similarity=sim if art and region else None,
        parser_version=PARSER_VERSION,
        author_role=byline.role,
        author_names=byline.names,
    )
