"""Score the PDF parser against a ground-truth corpus (page PDFs with truth JSON beside them)."""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from parsers.pdf_page import PdfArticle, PdfPage, parse_pdf

# Code points that must never reach output: Kangxi radicals, CJK Radicals Supplement,
# compatibility ideographs that have a unified equivalent.
_UNIFIED_IN_COMPAT = set("\ufa0e\ufa0f\ufa11\ufa13\ufa14\ufa1f\ufa21\ufa23\ufa24\ufa27\ufa28\ufa29")


def is_radical_or_compat(ch: str) -> bool:
    """Whether a character is a radical or a compatibility ideograph (never wanted in output)."""
    code = ord(ch)
    if ch in _UNIFIED_IN_COMPAT or ch == "\u2e80":  # 2E80 has no unified equivalent
        return False
    return 0x2E80 <= code <= 0x2FDF or 0xF900 <= code <= 0xFAFF or 0x2F800 <= code <= 0x2FA1F


def similarity(a: str, b: str) -> float:
    """Character-level similarity ratio of two texts (1.0 = identical)."""
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


@dataclass
class ArticleScore:
    """One truth article against the parsed article it was matched to (if any)."""

    page: str
    headline: str
    found: str | None
    similarity: float
    headline_ok: bool
    fields_ok: bool  # kicker, subtitle, byline
    roles_ok: bool = False  # subheads, captions, continuation notes
    bbox_ok: bool | None = None  # parsed bbox inside the module's truth bbox (None: no truth)
    subheads: tuple[int, int, int] = (0, 0, 0)  # (found in order, truth, parsed)
    breaks: tuple[int, int, int] = (0, 0, 0)  # paragraph boundaries (right, truth, parsed)


@dataclass
class Report:
    """Corpus-wide scores."""

    articles: list[ArticleScore] = field(default_factory=list)
    pages: int = 0
    extra_articles: int = 0  # parsed articles that match no truth article
    ad_leaks: list[str] = field(default_factory=list)  # "page: ad text found in an article"
    furniture_leaks: list[str] = field(default_factory=list)
    ads_missed: list[str] = field(default_factory=list)
    radicals: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    layer_errors: list[str] = field(default_factory=list)  # text_layer other than the truth's
    coverage: dict[str, float] = field(default_factory=dict)  # page → characters placed share
    empty_pages: list[str] = field(default_factory=list)  # text on the page, no item from it
    kind_errors: list[str] = field(default_factory=list)  # ad taken for a notice or back
    parsed: dict[str, PdfPage] = field(default_factory=dict, repr=False)  # page → what it gave

    @property
    def min_coverage(self) -> float:
        """The lowest page coverage (1.0 for no pages)."""
        return min(self.coverage.values(), default=1.0)

    @property
    def subhead_accuracy(self) -> float:
        """Subheads found in order over the larger of truth and parsed counts (1.0 for none)."""
        found, want, got = (sum(x) for x in zip(*(a.subheads for a in self.articles), strict=True))
        return found / max(want, got) if max(want, got) else 1.0

    @property
    def paragraph_f1(self) -> float:
        """F1 of paragraph boundaries over all truth articles (1.0 when there are none)."""
        right, want, got = (sum(x) for x in zip(*(a.breaks for a in self.articles), strict=True))
        if not want and not got:
            return 1.0
        precision, recall = right / got if got else 0.0, right / want if want else 0.0
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    @property
    def median_similarity(self) -> float:
        """Median body similarity over all truth articles (missed articles score 0)."""
        return statistics.median(a.similarity for a in self.articles) if self.articles else 0.0

    def share(self, attr: str) -> float:
        """Share of scored truth articles for which a boolean score holds."""
        values = [getattr(a, attr) for a in self.articles if getattr(a, attr) is not None]
        return sum(values) / len(values) if values else 0.0

    @property
    def headline_accuracy(self) -> float:
        """Share of truth articles whose headline came back exactly."""
        if not self.articles:
            return 0.0
        return sum(a.headline_ok for a in self.articles) / len(self.articles)


def _body(paragraphs: list[str]) -> str:
    return "\n".join(paragraphs)


def _in_order(want: list[str], got: list[str]) -> int:
    """How many of `want` appear in `got` in the same order (longest common subsequence)."""
    row = [0] * (len(got) + 1)
    for w in want:
        prev = 0
        for j, g in enumerate(got, 1):
            prev, row[j] = row[j], prev + 1 if w == g else max(row[j], row[j - 1])
    return row[-1]


def _offsets(paragraphs: list[str]) -> set[int]:
    """Where paragraph boundaries fall in the paragraphs' joined text."""
    out, pos = set(), 0
    for p in paragraphs[:-1]:
        pos += len(p)
        out.add(pos)
    return out


def _breaks(want: list[str], got: list[str]) -> tuple[int, int, int]:
    """Paragraph boundaries: (parsed ones at a truth boundary, truth count, parsed count)."""
    truth, parsed = _offsets(want), _offsets(got)
    blocks = SequenceMatcher(None, "".join(got), "".join(want), autojunk=False)
    right = 0
    for pos in parsed:  # a boundary maps across where the two texts agree around it
        for a, b, size in blocks.get_matching_blocks():
            if a < pos <= a + size and pos - a + b in truth:
                right += 1
                break
            if a == pos and b in truth:
                right += 1
                break
    return right, len(truth), len(parsed)


def _match(
    truth: dict[str, Any], parsed: list[PdfArticle], taken: set[int] | None = None
) -> PdfArticle | None:
    """The parsed article with the same (non-empty) headline, else the most similar body.

    Articles already matched to another truth article (`taken`) are not matched again:
    several headline-less modules on one page must each find their own.
    """
    parsed = [a for a in parsed if id(a) not in (taken or set())]
    for art in parsed:
        if truth["headline"] and art.headline == truth["headline"]:
            return art
    want = _body(truth["paragraphs"])
    best = max(parsed, key=lambda a: similarity(_body(a.paragraphs), want), default=None)
    if best is not None and similarity(_body(best.paragraphs), want) > 0.5:
        return best
    return None


def _inside(got: tuple[float, ...], want: list[float], slack: float = 1.0) -> bool:
    return (
        got[0] >= want[0] - slack
        and got[1] >= want[1] - slack
        and got[2] <= want[2] + slack
        and got[3] <= want[3] + slack
    )


def _all_text(page: PdfPage) -> str:
    parts = []
    for art in page.articles:
        parts += [art.headline, art.kicker or "", art.subtitle or "", art.byline or ""]
        parts += art.paragraphs + art.captions + art.continuations
    return "".join(parts + [ad.text for ad in page.ads])


def _leaks(name: str, truth: dict[str, Any], page: PdfPage, report: Report) -> None:
    """Ad and furniture text inside articles; ads that did not come back as ads."""
    article_text = "".join(
        "".join([a.headline, a.kicker or "", a.subtitle or "", *a.paragraphs])
        for a in page.articles
    )
    parsed_ads = "".join(ad.text for ad in page.ads).replace(" ", "")
    for ad in truth["ads"]:
        probes = [ad["text"][i : i + 8] for i in range(0, max(1, len(ad["text"]) - 8), 8)]
        if any(p in article_text for p in probes):
            report.ad_leaks.append(f"{name}: {ad['text'][:20]}…")
        head = ad["text"].replace(" ", "")[:12]
        if head not in parsed_ads:
            report.ads_missed.append(f"{name}: {ad['text'][:20]}…")
            continue
        kinds = {a.kind for a in page.ads if head in a.text.replace(" ", "")}
        if ad.get("kind", "ad") not in kinds:
            report.kind_errors.append(f"{name}: {ad['text'][:12]}… is a {ad.get('kind', 'ad')}")
    for item in truth["furniture"]:
        if len(item) >= 4 and item in article_text:
            report.furniture_leaks.append(f"{name}: {item}")


def score_page(name: str, truth: dict[str, Any], page: PdfPage, report: Report) -> None:
    """Add one page's scores to the report."""
    report.pages += 1
    if page.text_layer != truth.get("text_layer", "pdf"):
        report.layer_errors.append(
            f"{name}: text layer {page.text_layer}, truth says {truth.get('text_layer', 'pdf')}"
        )
    matched: set[int] = set()
    for want in truth["articles"]:
        got = _match(want, page.articles, matched)
        if got is not None:
            matched.add(id(got))
        report.articles.append(
            ArticleScore(
                page=name,
                headline=want["headline"],
                found=got.headline if got else None,
                similarity=similarity(_body(got.paragraphs), _body(want["paragraphs"]))
                if got
                else 0.0,
                headline_ok=got is not None and got.headline == want["headline"],
                fields_ok=got is not None
                and (got.kicker, got.subtitle, got.byline)
                == (want["kicker"], want["subtitle"], want["byline"]),
                roles_ok=got is not None
                and (got.subheads, got.captions, got.continuations)
                == (want["subheads"], want["captions"], want["continuations"]),
                bbox_ok=_inside(got.bbox, want["bbox"]) if got and want["bbox"] else None,
                subheads=(
                    _in_order(want["subheads"], got.subheads) if got else 0,
                    len(want["subheads"]),
                    len(got.subheads) if got else 0,
                ),
                breaks=_breaks(want["paragraphs"], got.paragraphs if got else []),
            )
        )
    report.extra_articles += sum(1 for a in page.articles if id(a) not in matched)
    report.coverage[name] = page.coverage
    report.parsed[name] = page
    if page.chars and not (page.articles or page.ads):
        report.empty_pages.append(f"{name}: {page.chars} characters, no article or ad")
    _leaks(name, truth, page, report)
    bad = sorted({f"U+{ord(c):04X}" for c in _all_text(page) if is_radical_or_compat(c)})
    if bad:
        report.radicals.append(f"{name}: {' '.join(bad)}")


def evaluate(corpus: Path, engine: str = "pdfplumber") -> Report:
    """Parse every PDF in a corpus directory that has a truth JSON beside it and score it
    (`engine` reads the pages: parsers.pdf_page.PDF_ENGINES)."""
    report = Report()
    for pdf in sorted(corpus.glob("*.pdf")):
        truth_file = pdf.with_suffix(".json")
        if not truth_file.exists():
            continue
        truth = json.loads(truth_file.read_text("utf-8"))
        try:
            (page,) = parse_pdf(pdf.read_bytes(), str(pdf), engine=engine)[:1]
        except Exception as exc:  # a page that fails to parse scores zero, and is listed
            report.errors.append(f"{pdf.name}: {exc}")
            page = PdfPage(page_number=1, width=0, height=0, text_layer="none")
        score_page(pdf.stem, truth, page, report)
    return report


def format_report(report: Report, verbose: bool = True) -> str:
    """Human-readable scores: per-article lines, then the totals."""
    lines = []
    if verbose:
        for a in report.articles:
            mark = "" if a.headline_ok else f"  (got headline: {a.found})"
            fields = "" if a.fields_ok else "  [kicker/subtitle/byline differ]"
            fields += "" if a.roles_ok else "  [subheads/captions/continuations differ]"
            fields += "" if a.bbox_ok is not False else "  [bbox outside the module]"
            lines.append(f"{a.page:>6}  {a.similarity:6.4f}  {a.headline}{mark}{fields}")
    n = len(report.articles)
    lines += [
        f"pages {report.pages}, truth articles {n}, extra parsed articles {report.extra_articles}",
        f"median similarity {report.median_similarity:.4f}, "
        f"min {min((a.similarity for a in report.articles), default=0):.4f}",
        f"headline accuracy {report.headline_accuracy:.4f}, "
        f"kicker/subtitle/byline accuracy {report.share('fields_ok'):.4f}, "
        f"subhead/caption/continuation accuracy {report.share('roles_ok'):.4f}, "
        f"bbox accuracy {report.share('bbox_ok'):.4f}",
        f"coverage min {report.min_coverage:.4f} "
        f"({sum(c < 1 for c in report.coverage.values())} pages under 1), "
        f"subhead accuracy {report.subhead_accuracy:.4f}, "
        f"paragraph-boundary F1 {report.paragraph_f1:.4f}",
        f"ad leaks {len(report.ad_leaks)}, ads missed {len(report.ads_missed)}, "
        f"ad/notice kinds wrong {len(report.kind_errors)}, "
        f"empty pages {len(report.empty_pages)}, "
        f"furniture leaks {len(report.furniture_leaks)}, radical pages {len(report.radicals)}, "
        f"errors {len(report.errors)}, wrong text layers {len(report.layer_errors)}",
    ]
    for label, items in (
        ("ad leak", report.ad_leaks),
        ("ad missed", report.ads_missed),
        ("furniture leak", report.furniture_leaks),
        ("radicals", report.radicals),
        ("error", report.errors),
        ("text layer", report.layer_errors),
        ("ad kind", report.kind_errors),
        ("empty page", report.empty_pages),
        *(("coverage", [f"{p}: {c:.4f}"]) for p, c in report.coverage.items() if c < 1),
    ):
        lines += [f"  {label}: {item}" for item in items]
    return "\n".join(lines)
