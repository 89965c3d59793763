"""Deduplication rules: which items are the same story, which is canonical, how members relate.

Every article and ad becomes an `Item`; items are linked when their match-folded texts are
equal (hash) or their MinHash signatures estimate Jaccard ≥ 0.7 or containment ≥ 0.9, and
only when their item types allow it (ads with ads; a templated daily report only with its
own day's copies). A pair whose estimate is within the estimator's error of a threshold is
decided on the exact Jaccard and containment of its two shingle sets instead. Clusters are
never used to drop anything: each member records its relation to the canonical item. `warehouse.dedup_store` runs the same rules against all
history stored in the warehouse; `cluster_items` runs them in memory on one batch.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from baokan import minhash
from baokan.models import IssueRecord
from parsers.notices import title_is_ad_or_notice
from parsers.text import fold_for_match

# v2: pairs near a threshold decided on exact shingle sets; a copy on another page of the
# same issue is a reprint.
RULE_VERSION = "minhash128-b32r4-j0.70-c0.90-exact3se-v2"
JACCARD_MIN = 0.7
CONTAINMENT_MIN = 0.9
CONTAINMENT_MIN_SHINGLES = 40  # containment of a very short text in a long one says little
# A MinHash estimate is the share of NUM_PERM permutations whose minimums agree: a binomial
# proportion, with standard error sqrt(J(1 - J) / 128) (0.041 at J = 0.7). A pair whose
# estimate lies within 3 standard errors of a threshold (0.58-0.82 around 0.7) is decided on
# its exact shingle sets. Outside the band the estimate decides, and it is on the wrong side
# of the threshold only if it erred by more than 3 standard errors: at most 0.13 % of such
# pairs (the normal tail). The band stays narrow enough that few pairs need their texts.
ERROR_BAND_SE = 3.0
METHOD_EXACT = "exact-hash"
METHOD_MINHASH = "minhash-lsh"
METHOD_SHINGLES = "exact-shingles"

# Folded match texts of items, fetched in one call; None where a text is not known (then
# the estimate decides).
Texts = Callable[[Sequence["Item"]], list[str | None]]

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
    similarity: float  # Jaccard with the canonical: 1.0 for equal texts, else as `method` says
    method: str  # 'exact-hash' | 'minhash-lsh' (estimated) | 'exact-shingles' (exact)
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
    j: npt.NDArray[np.float64], n_a: npt.NDArray[np.int64], n_b: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """Which pairs are near-duplicates by their estimated Jaccard `j` and shingle counts."""
    c = minhash.containment(j, n_a, n_b)
    enough = np.minimum(n_a, n_b) >= CONTAINMENT_MIN_SHINGLES
    return np.asarray((j >= JACCARD_MIN) | ((c >= CONTAINMENT_MIN) & enough))


def error_band(threshold: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """ERROR_BAND_SE standard errors of a MinHash Jaccard estimate at `threshold`."""
    t = np.asarray(threshold, dtype=np.float64)
    return np.asarray(ERROR_BAND_SE * np.sqrt(t * (1.0 - t) / minhash.NUM_PERM))


def near_threshold(
    j: npt.NDArray[np.float64], n_a: npt.NDArray[np.int64], n_b: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """Pairs whose estimated Jaccard is within the error band of a rule's threshold."""
    # Estimated containment reaches CONTAINMENT_MIN exactly where the estimated Jaccard
    # reaches 0.9·m / (n_a + n_b − 0.9·m), m the smaller count: that rule is a Jaccard
    # threshold of its own for each pair, with its own standard error.
    small = CONTAINMENT_MIN * np.minimum(n_a, n_b)
    at = small / np.maximum(n_a + n_b - small, 1.0)
    enough = np.minimum(n_a, n_b) >= CONTAINMENT_MIN_SHINGLES
    return np.asarray(
        (np.abs(j - JACCARD_MIN) <= error_band(JACCARD_MIN))
        | (enough & (np.abs(j - at) <= error_band(at)))
    )


def exact_similar(a: set[str], b: set[str]) -> tuple[bool, float]:
    """The rule on two shingle sets' exact Jaccard and containment; and that Jaccard."""
    inter = len(a & b)
    union = len(a) + len(b) - inter
    small = min(len(a), len(b))
    j = inter / union if union else 0.0
    contained = small >= CONTAINMENT_MIN_SHINGLES and inter >= CONTAINMENT_MIN * small
    return j >= JACCARD_MIN or contained, j


def exact_decisions(
    items: Sequence[Item], a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], texts: Texts
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], npt.NDArray[np.float64]]:
    """The rule decided on the shingle sets of pairs (items[a[i]], items[b[i]]), with one
    call for their texts: (known, near-duplicate, exact Jaccard); not known where either
    text is missing."""
    wanted = list({items[r].item_id: items[r] for r in [*a.tolist(), *b.tolist()]}.values())
    sets = {
        it.item_id: minhash.shingle_set(t)
        for it, t in zip(wanted, texts(wanted), strict=True)
        if t is not None
    }
    known = np.zeros(len(a), dtype=bool)
    ok = np.zeros(len(a), dtype=bool)
    jac = np.zeros(len(a), dtype=np.float64)
    for i, (x, y) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        sa, sb = sets.get(items[x].item_id), sets.get(items[y].item_id)
        if sa is not None and sb is not None:
            known[i] = True
            ok[i], jac[i] = exact_similar(sa, sb)
    return known, ok, jac


def texts_in_memory(items: Sequence[Item], texts: Sequence[str]) -> Texts:
    """The `Texts` of a batch whose folded texts are at hand."""
    by_id = {it.item_id: t for it, t in zip(items, texts, strict=True)}
    return lambda wanted: [by_id.get(it.item_id) for it in wanted]


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
    # Another issue, or another page of the same issue: a second appearance of the story.
    # Only the same appearance (same page) can be a re-fetch or its HTML/PDF twin.
    same_page = (member.site_id, member.issue_date, member.page_label) == (
        canonical.site_id,
        canonical.issue_date,
        canonical.page_label,
    )
    if not same_page:
        return "reprint"
    same_bytes = member.raw_sha256 is not None and member.raw_sha256 == canonical.raw_sha256
    if same_bytes or (
        member.exact_hash == canonical.exact_hash and member.text_source == canonical.text_source
    ):
        return "identical"
    return "format_variant"


def cluster_id_for(canonical: Item) -> str:
    """A cluster is named after its canonical item, so the same history gives the same ids."""
    return "c" + hashlib.sha256(canonical.item_id.encode("utf-8")).hexdigest()[:19]


def memberships(
    clusters: Sequence[tuple[Sequence[Item], minhash.Signatures]], texts: Texts
) -> list[list[Member]]:
    """The member rows of each cluster (items and row-aligned signatures), in item order.
    Similarity to the canonical is estimated, or exact where the estimate is near a threshold
    (the texts of all such members fetched in one call)."""
    out: list[list[Member]] = []
    flat: list[Item] = []  # members and canonicals whose similarity is computed exactly
    for items, sig in clusters:
        if len(items) == 1:  # most clusters of a batch: no signature arithmetic
            out.append([single(items[0])])
            continue
        canon = min(range(len(items)), key=lambda i: canonical_order(items[i]))
        head = items[canon]
        cid = cluster_id_for(head)
        j = minhash.jaccard(sig.values, sig.values[canon][None, :])
        near = near_threshold(j, sig.shingles, np.full(len(items), sig.shingles[canon]))
        rows = []
        for i, item in enumerate(items):
            if i == canon:
                rows.append(single(item))
                continue
            exact = item.exact_hash == head.exact_hash
            comparable = sig.k[i] == sig.k[canon]
            sim = 1.0 if exact else float(j[i]) if comparable else 0.0
            method = METHOD_EXACT if exact else METHOD_MINHASH
            rows.append(Member(item.item_id, cid, False, relation(item, head), sim, method))
            if not exact and comparable and near[i]:
                flat += [item, head]
        out.append(rows)
    _exact_similarities(out, flat, texts)
    return out


def _exact_similarities(clusters: list[list[Member]], flat: list[Item], texts: Texts) -> None:
    """Replace the estimated similarity of the members in `flat` (member, canonical pairs)
    by the exact Jaccard of their shingle sets, where both texts are known."""
    if not flat:
        return
    idx = np.arange(len(flat), dtype=np.int64)
    known, _, jac = exact_decisions(flat, idx[0::2], idx[1::2], texts)
    by_id = {m.item_id: m for rows in clusters for m in rows}
    for k, item in enumerate(flat[0::2]):
        if known[k]:
            member = by_id[item.item_id]
            member.similarity, member.method = float(jac[k]), METHOD_SHINGLES


def single(item: Item) -> Member:
    """The member row of an item alone in its cluster (`memberships` of that one item)."""
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


# Members of one band bucket beyond which its pairs are not all formed: a bucket of n
# distinct texts has n(n-1)/2 pairs (2,000 near-copies of a notice: 2M pairs in each of 32
# bands, 3.5 GB). A larger bucket links each member to the bucket's first member and to the
# one before it, and the rules decide each of those pairs as usual: memory linear in the
# bucket. Real batches never come near it (identical texts are collapsed before pairing).
BUCKET_CAP = 64


def candidate_pairs(keys: npt.NDArray[np.int64], cap: int = BUCKET_CAP) -> npt.NDArray[np.int64]:
    """Row pairs (i < j) sharing at least one band key, from one batch's band keys: all pairs
    of a bucket of up to `cap` rows, a chain through its first row beyond that."""
    n, bands = keys.shape
    rows = np.repeat(np.arange(n, dtype=np.int64), bands)
    order = np.lexsort((rows, keys.ravel()))
    flat_keys, rows = keys.ravel()[order], rows[order]
    starts = np.flatnonzero(np.r_[True, flat_keys[1:] != flat_keys[:-1]])
    lengths = np.diff(np.r_[starts, len(flat_keys)])
    parts = [np.empty((0, 2), dtype=np.int64)]
    # Every pair within each run of equal keys, one vectorized step per run length (a few
    # dozen lengths, however many runs): offsets of all pairs of a run of that length.
    small = lengths[(lengths > 1) & (lengths <= cap)]
    for length in np.unique(small).tolist():
        run = starts[lengths == length][:, None]
        a, b = np.triu_indices(length, k=1)
        parts.append(np.column_stack([rows[(run + a).ravel()], rows[(run + b).ravel()]]))
    big = lengths > cap
    for start, length in zip(starts[big].tolist(), lengths[big].tolist(), strict=True):
        members = rows[start : start + length]
        parts.append(np.column_stack([np.full(length - 1, members[0]), members[1:]]))
        parts.append(np.column_stack([members[1:-1], members[2:]]))
    pairs = np.concatenate(parts)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return np.unique(pairs, axis=0)


def representatives(items: Sequence[Item], parts: Sequence[object] | None = None) -> list[int]:
    """The first item of each text and merge key (and part): the only ones paired by band
    keys. A rerun ad's thousand identical copies share every key, and all their pairs would be
    a million per band; the copies are linked to their representative by `exact_pairs`, and a
    representative links wherever its copies would (same text, signature and type)."""
    first: dict[tuple[object, ...], int] = {}
    for i, item in enumerate(items):
        first.setdefault((parts[i] if parts else None, item.exact_hash, *merge_key(item)), i)
    return sorted(first.values())


def batch_candidates(
    items: Sequence[Item], keys: npt.NDArray[np.int64], parts: Sequence[object] | None = None
) -> npt.NDArray[np.int64]:
    """Candidate pairs within a batch (rows of `keys` are its items): band-key pairs among
    representatives, in the same part if `parts` is given."""
    reps = np.array(representatives(items, parts), dtype=np.int64)
    cand = reps[candidate_pairs(keys[reps])]
    if parts:
        code = _codes(parts)
        cand = cand[code[cand[:, 0]] == code[cand[:, 1]]]
    return cand


EMPTY_HASH = match_hash("")


def _codes(values: Sequence[object]) -> npt.NDArray[np.int64]:
    """Equal values get equal small integers (for vectorized comparisons)."""
    seen: dict[object, int] = {}
    return np.fromiter((seen.setdefault(v, len(seen)) for v in values), np.int64, len(values))


def link(
    items: Sequence[Item],
    sig: minhash.Signatures,
    pairs: Iterable[tuple[int, int]] | npt.NDArray[np.int64],
    texts: Texts,
) -> list[tuple[int, int]]:
    """The candidate pairs (tuples, or rows of an n × 2 array) that the type rule and the
    similarity rule both accept; pairs near a threshold are decided on their texts."""
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
    close = []
    for lo in range(0, len(near), 50_000):  # bounded memory for the signature rows compared
        idx = near[lo : lo + 50_000]
        j = minhash.jaccard(sig.values[a[idx]], sig.values[b[idx]])
        n_a, n_b = sig.shingles[a[idx]], sig.shingles[b[idx]]
        keep[idx] = similar(j, n_a, n_b)
        close.append(idx[near_threshold(j, n_a, n_b)])
    rows = np.concatenate(close) if close else np.empty(0, dtype=np.int64)
    if len(rows):
        known, ok, _ = exact_decisions(items, a[rows], b[rows], texts)
        keep[rows[known]] = ok[known]
    return [(int(x), int(y)) for x, y in arr[keep]]


def merge_key(item: Item) -> tuple[str, ...]:
    """The type rule: items may merge only with items of the same key (ads with ads, news
    with news, a templated daily report only with copies from its own site and day)."""
    if item.item_type == "templated":
        return (item.item_type, item.site_id, item.issue_date)
    return (item.item_type,)


def exact_pairs(
    items: Sequence[Item], parts: Sequence[object] | None = None
) -> list[tuple[int, int]]:
    """Items with the same folded-text hash and merge key (and part, if given), each linked
    to the first such."""
    first: dict[tuple[object, ...], int] = {}
    out = []
    for i, item in enumerate(items):
        key = (parts[i] if parts else None, item.exact_hash, *merge_key(item))
        if key in first:
            out.append((first[key], i))
        else:
            first[key] = i
    return out


def components(
    items: Sequence[Item],
    sig: minhash.Signatures,
    texts: Texts,
    parts: Sequence[object] | None = None,
) -> list[list[int]]:
    """The clusters the rules make of these items (row-aligned signatures), as index lists;
    with `parts`, items of different parts are never linked (each part clustered alone)."""
    cand = batch_candidates(items, minhash.band_keys(sig.values, sig.k), parts)
    exact = np.array(exact_pairs(items, parts), dtype=np.int64).reshape(-1, 2)
    uf = UnionFind(len(items))
    for a, b in link(items, sig, np.concatenate([cand, exact]), texts):
        uf.union(a, b)
    return uf.groups()


def cluster_items(items: Sequence[Item], texts: Sequence[str]) -> list[Member]:
    """Deduplicate one batch in memory: exact hashes, LSH candidates, rules, union-find."""
    sig = minhash.signatures(list(texts))
    known = texts_in_memory(items, texts)
    groups = components(items, sig, known)
    clusters = [([items[i] for i in g], sig.take(g)) for g in groups]
    return [m for rows in memberships(clusters, known) for m in rows]


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
