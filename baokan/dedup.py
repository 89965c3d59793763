"""Deduplication rules: which items are the same story, which is canonical, how members relate.

Every article and ad becomes an `Item`; items are linked when their match-folded texts are
equal (hash) or their MinHash signatures estimate Jaccard ≥ 0.7 or containment ≥ 0.9, and
only when their item types allow it (ads with ads; a templated daily report only with its
own day's copies). Clusters are never used to drop anything: each member records its
relation to the canonical item. `warehouse.dedup_store` runs the same rules against all
history stored in the warehouse; `cluster_items` runs them in memory on one batch.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from baokan import minhash
from baokan.models import IssueRecord
from parsers.notices import title_is_ad_or_notice
from parsers.text import fold_for_match

RULE_VERSION = "minhash128-b32r4-j0.70-c0.90-v1"
JACCARD_MIN = 0.7
CONTAINMENT_MIN = 0.9
CONTAINMENT_MIN_SHINGLES = 40  # containment of a very short text in a long one says little
METHOD_EXACT = "exact-hash"
METHOD_MINHASH = "minhash-lsh"

# Daily items whose text is a template: two days' reports share most shingles but are
# different reports. Matched on the title; they only merge with the same day's copies.
TEMPLATED_TITLE = re.compile(
    r"天气预报|天气|气象|空气质量|市场行情|行情|股市|收盘|汇率|牌价|开奖|潮汐|航班信息"
)


@dataclass
class Item:
    """One article or ad appearance, as deduplication sees it."""

    item_id: str
    kind: str  # 'article' | 'ad'
    item_type: str  # 'news' | 'templated' | 'ad'
    site_id: str
    issue_date: str
    text_source: str  # 'html' | 'pdf' | 'both'
    raw_sha256: str | None  # bytes the text came from (article page, or the page PDF)
    exact_hash: str  # sha256 of the match-folded text
    char_count: int
    page_label: str = ""
    position: int = 0


@dataclass
class Member:
    """An item's place in its cluster."""

    item_id: str
    cluster_id: str
    is_canonical: bool
    relation: str  # 'canonical' | 'identical' | 'format_variant' | 'reprint' | 'recurring_ad'
    similarity: float
    method: str
    rule_version: str = RULE_VERSION


def item_type(title: str, kind: str) -> str:
    """The type that decides what an item may merge with (notices, which run issue after
    issue, behave like ads)."""
    if kind == "ad" or title_is_ad_or_notice(title):
        return "ad"
    return "templated" if TEMPLATED_TITLE.search(title) else "news"


def match_hash(folded: str) -> str:
    """sha256 of match-folded text: equal for copies whatever their punctuation, width, breaks."""
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def issue_items(issue: IssueRecord) -> tuple[list[Item], list[str]]:
    """Items (and their folded match texts) for every article and ad of an issue."""
    items: list[Item] = []
    texts: list[str] = []
    for a in issue.articles:
        folded = fold_for_match(f"{a.title}\n{a.body}")
        raw = a.html_sha256 if a.text_source != "pdf" else a.pdf_sha256
        items.append(
            Item(
                a.article_id,
                "article",
                item_type(a.title, "article"),
                a.site_id,
                a.issue_date,
                a.text_source,
                raw,
                match_hash(folded),
                len(a.body),
                a.page_label,
                a.position,
            )
        )
        texts.append(folded)
    for d in issue.ads:
        folded = fold_for_match(d.text)
        items.append(
            Item(
                d.ad_id,
                "ad",
                "ad",
                d.site_id,
                d.issue_date,
                "pdf",
                d.pdf_sha256,
                match_hash(folded),
                len(d.text),
                d.page_label,
                d.position,
            )
        )
        texts.append(folded)
    return items, texts


def similar(
    sig_a: minhash.U32,
    sig_b: minhash.U32,
    n_a: npt.NDArray[np.int64],
    n_b: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64]]:
    """Which signature pairs (rows of a and b) are near-duplicates, and their est. Jaccard."""
    j = minhash.jaccard(sig_a, sig_b)
    c = minhash.containment(j, n_a, n_b)
    enough = np.minimum(n_a, n_b) >= CONTAINMENT_MIN_SHINGLES
    return (j >= JACCARD_MIN) | ((c >= CONTAINMENT_MIN) & enough), j


def canonical_order(item: Item) -> tuple[str, int, int, str, str, int, str]:
    """Sort key: earliest appearance, HTML text before PDF-only, most complete, then stable."""
    pdf_only = 1 if item.text_source == "pdf" else 0
    return (
        item.issue_date,
        pdf_only,
        -item.char_count,
        item.site_id,
        item.page_label,
        item.position,
        item.item_id,
    )


def relation(member: Item, canonical: Item) -> str:
    """How a member relates to its cluster's canonical item."""
    if member.kind == "ad":
        return "recurring_ad"
    if member.site_id == canonical.site_id and member.issue_date == canonical.issue_date:
        same_bytes = member.raw_sha256 is not None and member.raw_sha256 == canonical.raw_sha256
        if same_bytes or (
            member.exact_hash == canonical.exact_hash
            and member.text_source == canonical.text_source
        ):
            return "identical"
        return "format_variant"
    return "reprint"


def cluster_id_for(canonical: Item) -> str:
    """A cluster is named after its canonical item, so the same history gives the same ids."""
    return "c" + hashlib.sha256(canonical.item_id.encode("utf-8")).hexdigest()[:19]


def members_of(
    items: Sequence[Item], sigs: minhash.U32, shingle_k: npt.NDArray[np.int8]
) -> list[Member]:
    """Canonical and member relations for the items of one cluster (signatures row-aligned)."""
    order = sorted(range(len(items)), key=lambda i: canonical_order(items[i]))
    canon = order[0]
    cid = cluster_id_for(items[canon])
    out = []
    for i, item in enumerate(items):
        if i == canon:
            out.append(single(item))
            continue
        exact = item.exact_hash == items[canon].exact_hash
        comparable = shingle_k[i] == shingle_k[canon]
        sim = 1.0 if exact else float(minhash.jaccard(sigs[i], sigs[canon])) if comparable else 0.0
        method = METHOD_EXACT if exact else METHOD_MINHASH
        out.append(Member(item.item_id, cid, False, relation(item, items[canon]), sim, method))
    return out


def single(item: Item) -> Member:
    """The member row of an item alone in its cluster (`members_of` of that one item)."""
    return Member(item.item_id, cluster_id_for(item), True, "canonical", 1.0, METHOD_EXACT)


class UnionFind:
    """Disjoint sets over 0..n-1 with path halving."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        """Representative of x's set."""
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        """Merge the sets of a and b."""
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[int]]:
        """Every set, as a sorted list of members."""
        out: dict[int, list[int]] = {}
        for x in range(len(self.parent)):
            out.setdefault(self.find(x), []).append(x)
        return list(out.values())


def candidate_pairs(keys: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Row pairs (i < j) sharing at least one band key, from one batch's band keys."""
    n, bands = keys.shape
    rows = np.repeat(np.arange(n, dtype=np.int64), bands)
    order = np.lexsort((rows, keys.ravel()))
    flat_keys, rows = keys.ravel()[order], rows[order]
    starts = np.flatnonzero(np.r_[True, flat_keys[1:] != flat_keys[:-1]])
    lengths = np.diff(np.r_[starts, len(flat_keys)])
    parts = [np.empty((0, 2), dtype=np.int64)]
    # Every pair within each run of equal keys, one vectorized step per run length (a few
    # dozen lengths, however many runs): offsets of all pairs of a run of that length.
    for length in np.unique(lengths[lengths > 1]).tolist():
        run = starts[lengths == length][:, None]
        a, b = np.triu_indices(length, k=1)
        parts.append(np.column_stack([rows[(run + a).ravel()], rows[(run + b).ravel()]]))
    pairs = np.concatenate(parts)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return np.unique(pairs, axis=0)


EMPTY_HASH = match_hash("")


def _codes(values: Sequence[object]) -> npt.NDArray[np.int64]:
    """Equal values get equal small integers (for vectorized comparisons)."""
    seen: dict[object, int] = {}
    return np.fromiter((seen.setdefault(v, len(seen)) for v in values), np.int64, len(values))


def link(
    items: Sequence[Item],
    sig: minhash.Signatures,
    pairs: Iterable[tuple[int, int]] | npt.NDArray[np.int64],
) -> list[tuple[int, int]]:
    """The candidate pairs (tuples, or rows of an n × 2 array) that the type rule and the
    similarity rule both accept."""
    given = pairs if isinstance(pairs, np.ndarray) else list(pairs)
    arr = np.asarray(given, dtype=np.int64).reshape(-1, 2)
    if not len(arr):
        return []
    a, b = arr[:, 0], arr[:, 1]
    group = _codes([merge_key(it) for it in items])
    text = _codes([it.exact_hash for it in items])
    empty = np.array([it.exact_hash == EMPTY_HASH for it in items])
    allowed = (group[a] == group[b]) & ~empty[a] & ~empty[b]
    exact = allowed & (text[a] == text[b])
    near = np.flatnonzero(allowed & ~exact & (sig.k[a] == sig.k[b]))
    keep = exact.copy()
    for lo in range(0, len(near), 50_000):  # bounded memory for the signature rows compared
        idx = near[lo : lo + 50_000]
        ok, _ = similar(
            sig.values[a[idx]], sig.values[b[idx]], sig.shingles[a[idx]], sig.shingles[b[idx]]
        )
        keep[idx] = ok
    return [(int(x), int(y)) for x, y in arr[keep]]


def merge_key(item: Item) -> tuple[str, ...]:
    """The type rule: items may merge only with items of the same key (ads with ads, news
    with news, a templated daily report only with copies from its own site and day)."""
    if item.item_type == "templated":
        return (item.item_type, item.site_id, item.issue_date)
    return (item.item_type,)


def exact_pairs(items: Sequence[Item]) -> list[tuple[int, int]]:
    """Items with the same folded-text hash and merge key, each linked to the first such."""
    first: dict[tuple[str, ...], int] = {}
    out = []
    for i, item in enumerate(items):
        key = (item.exact_hash, *merge_key(item))
        if key in first:
            out.append((first[key], i))
        else:
            first[key] = i
    return out


def components(items: Sequence[Item], sig: minhash.Signatures) -> list[list[int]]:
    """The clusters the rules make of these items (row-aligned signatures), as index lists."""
    # Band-key candidates among one item per text and merge key: a rerun ad's thousand
    # identical copies share every key, and all their pairs would be a million per band.
    # Copies are linked to their representative by the exact pairs; a representative links
    # wherever its copies would.
    first: dict[tuple[str, ...], int] = {}
    for i, item in enumerate(items):
        first.setdefault((item.exact_hash, *merge_key(item)), i)
    reps = np.array(sorted(first.values()), dtype=np.int64)
    keys = minhash.band_keys(sig.values[reps], sig.k[reps])
    exact = np.array(exact_pairs(items), dtype=np.int64).reshape(-1, 2)
    uf = UnionFind(len(items))
    for a, b in link(items, sig, np.concatenate([reps[candidate_pairs(keys)], exact])):
        uf.union(a, b)
    return uf.groups()


def cluster_items(items: Sequence[Item], texts: Sequence[str]) -> list[Member]:
    """Deduplicate one batch in memory: exact hashes, LSH candidates, rules, union-find."""
    sig = minhash.signatures(list(texts))
    out: list[Member] = []
    for group in components(items, sig):
        out += members_of([items[i] for i in group], sig.values[group], sig.k[group])
    return out


def dedup_issue(issue: IssueRecord) -> IssueRecord:
    """Cluster one issue's items among themselves (the load links them to all history)."""
    items, texts = issue_items(issue)
    cluster = {m.item_id: m.cluster_id for m in cluster_items(items, texts)}
    hashes = {i.item_id: i.exact_hash for i in items}
    for a in issue.articles:
        a.match_hash, a.cluster_id = hashes[a.article_id], cluster[a.article_id]
    for d in issue.ads:
        d.match_hash, d.cluster_id = hashes[d.ad_id], cluster[d.ad_id]
    return issue
