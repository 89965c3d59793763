"""Scoring of deduplication on the labelled evaluation set (tests/data/dedup_eval.json), and
the rewording that scripts/make_dedup_eval.py and the tests make near-threshold copies with."""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from baokan import minhash
from baokan.dedup import Item, Member, item_type, match_hash
from parsers.text import fold_for_match

EVAL_SET = Path(__file__).parent / "data" / "dedup_eval.json"
TRUTH = Path(__file__).resolve().parent.parent / "baokan" / "sample" / "truth"


def load_eval() -> list[dict[str, Any]]:
    """The labelled items, in file order."""
    return list(json.loads(EVAL_SET.read_text("utf-8")))


def as_items(records: list[dict[str, Any]]) -> tuple[list[Item], list[str]]:
    """Dedup items and folded match texts, exactly as the pipeline builds them."""
    items, texts = [], []
    for r in records:
        text = r["body"] if r["kind"] == "ad" else f"{r['title']}\n{r['body']}"
        folded = fold_for_match(text)
        items.append(
            Item(
                r["item_id"],
                r["kind"],
                item_type(r["title"], r["kind"]),
                r["site_id"],
                r["issue_date"],
                r["text_source"],
                r["raw_sha256"],
                match_hash(folded),
                len(r["body"]),
                r["page_label"],
                r["position"],
            )
        )
        texts.append(folded)
    return items, texts


@dataclass
class Score:
    """Pair recall per variant, member precision per relation, and the hard failures."""

    recall: dict[str, float] = field(default_factory=dict)
    precision: dict[str, float] = field(default_factory=dict)
    pair_precision: float = 0.0
    wrong_canonical: list[str] = field(default_factory=list)
    templated_cross_day: list[tuple[str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def score(records: list[dict[str, Any]], members: list[Member]) -> Score:
    """Compare predicted clusters and relations with the labels."""
    rec = {r["item_id"]: r for r in records}
    by_item = {m.item_id: m for m in members}
    canon = {m.cluster_id: m.item_id for m in members if m.is_canonical}
    out = Score()
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    base_of = {r["group"]: r["item_id"] for r in records if r["relation"] == "canonical"}
    for r in records:  # recall: each labelled appearance against its group's first appearance
        if r["relation"] == "canonical":
            continue
        bucket = r["variant"]
        totals[bucket] += 1
        hits[bucket] += by_item[r["item_id"]].cluster_id == by_item[base_of[r["group"]]].cluster_id
    out.recall = {b: hits[b] / totals[b] for b in totals}
    out.counts = dict(totals)
    right: Counter[str] = Counter()
    said: Counter[str] = Counter()
    for m in members:  # precision: each predicted relation to the predicted canonical
        if m.is_canonical:
            continue
        r, c = rec[m.item_id], rec[canon[m.cluster_id]]
        said[m.relation] += 1
        expected = "identical" if r["relation"] == "canonical" else r["relation"]
        right[m.relation] += r["group"] == c["group"] and expected == m.relation
    out.precision = {rel: right[rel] / said[rel] for rel in said}
    clusters: dict[str, list[str]] = {}
    for m in members:
        clusters.setdefault(m.cluster_id, []).append(m.item_id)
    pairs = good = 0
    for ids in clusters.values():
        for a, b in combinations(ids, 2):
            pairs += 1
            good += rec[a]["group"] == rec[b]["group"]
            ta, tb = (
                rec[a]["variant"].startswith("templated"),
                rec[b]["variant"].startswith("templated"),
            )
            if ta and tb and rec[a]["issue_date"] != rec[b]["issue_date"]:
                out.templated_cross_day.append((a, b))
    out.pair_precision = good / pairs if pairs else 1.0
    for group, base in base_of.items():
        c = rec[canon[by_item[base].cluster_id]]
        if c["group"] != group or c["relation"] not in ("canonical", "identical"):
            out.wrong_canonical.append(group)
    return out


def reworded(
    title: str, body: str, donor: str, lo: float, hi: float, rng: random.Random
) -> str | None:
    """An editor's rewording: short phrases replaced by others (taken from `donor`) at random
    places until the folded 5-gram Jaccard with the story falls below `hi`; the body then if
    that Jaccard is at least `lo`, else None."""
    story = minhash.shingle_set(fold_for_match(f"{title}\n{body}"))
    chars = list(body)
    while len(chars) > 8:
        at, d = rng.randrange(len(chars) - 4), rng.randrange(len(donor) - 4)
        chars[at : at + rng.randrange(2, 5)] = donor[d : d + rng.randrange(2, 5)]
        copy = minhash.shingle_set(fold_for_match(f"{title}\n{''.join(chars)}"))
        j = len(story & copy) / len(story | copy)
        if j < hi:
            return "".join(chars) if j >= lo else None
    return None


def sample_text() -> str:
    """Every sample article's body, one after another: where rewordings take their phrases."""
    return "".join(
        "".join(art["paragraphs"])
        for path in sorted(TRUTH.glob("*.json"))
        for page in json.loads(path.read_text("utf-8"))["pages"]
        for art in page["articles"]
    )
