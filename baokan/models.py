"""Records that flow between stages (parse → dedup → load), serialized as JSON per issue."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from parsers.byline import split_byline


@dataclass
class Problem:
    """Bad input met while processing an issue: what kind, which URL or file, what was wrong."""

    kind: str
    source: str
    message: str


@dataclass
class PageRecord:
    """One page (版) of an issue."""

    label: str
    name: str | None
    url: str
    position: int
    pdf_url: str | None = None
    pdf_sha256: str | None = None
    fetched: bool = False
    parsed: bool = False
    text_layer: str | None = None  # 'pdf' | 'ocr' | 'none' | None when there was no PDF to read
    chars: int = 0  # characters on the page PDF (text layer or OCR)
    coverage: float | None = None  # share of them the parser placed; None without a PDF


@dataclass
class ArticleRecord:
    """One article appearance with its provenance."""

    article_id: str
    site_id: str
    issue_date: str
    page_label: str
    position: int
    kicker: str | None
    title: str
    subtitle: str | None
    author: str | None
    body: str
    url: str | None
    html_sha256: str | None
    pdf_sha256: str | None
    bbox: list[float] | None
    text_source: str  # 'html' | 'pdf' | 'both'
    pdf_html_similarity: float | None
    parser_version: str
    match_hash: str | None = None
    cluster_id: str | None = None
    # The byline split (parsers/byline.py); defaults keep records staged before it readable.
    author_role: str | None = None
    author_names: list[str] = field(default_factory=list)


@dataclass
class AdRecord:
    """An ad or notice found on a page PDF."""

    ad_id: str
    site_id: str
    issue_date: str
    page_label: str
    position: int
    text: str
    bbox: list[float] | None
    pdf_sha256: str | None
    kind: str = "ad"  # 'ad' | 'notice' (启事, 声明, 公告: parsers.notices)
    match_hash: str | None = None
    cluster_id: str | None = None


@dataclass
class BlockRecord:
    """Page text no article, ad, caption or furniture took: kept with its place, a problem."""

    block_id: str
    site_id: str
    issue_date: str
    page_label: str
    position: int
    text: str
    bbox: list[float] | None
    pdf_sha256: str | None
    reason: str  # why it was left: 'no role' (parser) | 'unmatched fragment' (too small)


@dataclass
class IssueRecord:
    """Everything parsed from one issue of one site."""

    site_id: str
    publication: str
    issue_date: str
    status: str  # 'complete' | 'partial' | 'missing' | 'failed'
    parser_version: str
    pages_listed: int = 0
    pages: list[PageRecord] = field(default_factory=list)
    articles: list[ArticleRecord] = field(default_factory=list)
    ads: list[AdRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unassigned: list[BlockRecord] = field(default_factory=list)

    @property
    def pages_fetched(self) -> int:
        """Pages whose index page was fetched."""
        return sum(p.fetched for p in self.pages)

    @property
    def pages_parsed(self) -> int:
        """Pages whose index page and PDF were both parsed."""
        return sum(p.parsed for p in self.pages)

    def counts(self) -> dict[str, int]:
        """Pages, articles, ads and problems: the numbers every stage reports for an issue."""
        return {
            "pages_listed": self.pages_listed,
            "pages_fetched": self.pages_fetched,
            "pages_parsed": self.pages_parsed,
            "articles": len(self.articles),
            "ads": len(self.ads),
            "problems": len(self.problems),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IssueRecord:
        """Rebuild from the JSON form written by to_dict."""
        nested = {
            "pages": PageRecord,
            "articles": ArticleRecord,
            "ads": AdRecord,
            "problems": Problem,
            "unassigned": BlockRecord,
        }
        kwargs = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        for key, kind in nested.items():
            kwargs[key] = [kind(**item) for item in data.get(key, [])]
        for art, item in zip(kwargs["articles"], data.get("articles", []), strict=True):
            if "author_names" not in item:  # staged before bylines were split: split it now
                byline = split_byline(art.author)
                art.author_role, art.author_names = byline.role, byline.names
        return cls(**kwargs)
