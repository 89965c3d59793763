"""Match HTML articles to PDF article regions: image-map polygon overlap plus text similarity."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher

from parsers.text import fold_for_match

BBox = tuple[float, float, float, float]


@dataclass
class Candidate:
    """What reconciliation needs to know about one article on either side."""

    key: str
    text: str  # title and body, display form
    bbox: BBox | None = None  # in PDF points (HTML side: image-map polygon already scaled)


def iou(a: BBox, b: BBox) -> float:
    """Intersection over union of two boxes."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _bigrams(text: str) -> Counter[str]:
    return Counter(text[i : i + 2] for i in range(len(text) - 1))


def quick_similarity(a: str, b: str) -> float:
    """Dice coefficient of character bigrams: cheap enough to score every pair."""
    ga, gb = _bigrams(a), _bigrams(b)
    total = sum(ga.values()) + sum(gb.values())
    return 2 * sum((ga & gb).values()) / total if total else 0.0


def similarity(a: str, b: str) -> float:
    """Text similarity in [0, 1] of two texts after match folding."""
    fa, fb = fold_for_match(a), fold_for_match(b)
    if not fa or not fb:
        return 0.0
    return round(SequenceMatcher(None, fa, fb, autojunk=False).ratio(), 4)


def scale_bbox(box: BBox, image_size: tuple[float, float], page_size: tuple[float, float]) -> BBox:
    """Image-map pixels to PDF points."""
    sx, sy = page_size[0] / image_size[0], page_size[1] / image_size[1]
    return box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy


def match(
    html: list[Candidate], pdf: list[Candidate], min_score: float = 0.3
) -> dict[str, tuple[str, float]]:
    """Pair each HTML article with at most one PDF region: html key → (pdf key, similarity)."""
    folded = {c.key: fold_for_match(c.text) for c in html + pdf}
    scored = []
    for h in html:
        for p in pdf:
            text = quick_similarity(folded[h.key], folded[p.key])
            overlap = iou(h.bbox, p.bbox) if h.bbox and p.bbox else None
            score = text if overlap is None else 0.5 * text + 0.5 * overlap
            if score >= min_score:
                scored.append((score, h, p))
    pairs: dict[str, tuple[str, float]] = {}
    taken: set[str] = set()
    for _, h, p in sorted(scored, key=lambda s: -s[0]):
        if h.key not in pairs and p.key not in taken:
            pairs[h.key] = (p.key, similarity(h.text, p.text))
            taken.add(p.key)
    return pairs
