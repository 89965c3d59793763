"""MinHash over character shingles, and LSH band keys, for a batch of texts at once.

The texts of a batch are concatenated into one array of code points; a compiled kernel
(numba) hashes each shingle and folds it into the text's 128 minimums in registers: one
pass over the text, no per-shingle Python and no shingles × permutations matrix in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from os import cpu_count

import numpy as np
import numpy.typing as npt

NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS  # 4 rows per band: candidates from est. Jaccard ≈ 0.4 upwards
SHINGLE = 5
SHORT_SHINGLE = 3
SHORT_TEXT = 80  # folded characters below which a text is shingled in 3-grams
SEED = 20260105

U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]

_rng = np.random.default_rng(SEED)
# Permutations x → a·x mod 2^32 with odd a (bijections of uint32; the minimum is decided by
# the well-mixed high bits, as in Dietzfelbinger's multiply-shift) over 32-bit shingle hashes
# that are already mixed. One SIMD multiply per shingle and permutation, no modulo.
_A: U32 = (_rng.integers(0, 2**32, NUM_PERM, dtype=np.uint64) | 1).astype(np.uint32)
_BAND_SALT: U64 = _rng.integers(0, 2**63, BANDS, dtype=np.uint64)
_EMPTY = np.uint32(0xFFFFFFFF)
_POLY = np.uint32(0x01000193)  # odd multiplier of the polynomial shingle code
_MIN_SPLIT = 500  # texts per thread below which threads cost more than they save


@dataclass
class Signatures:
    """MinHash signatures of a batch: one row of NUM_PERM uint32 per text."""

    values: U32  # shape (n, NUM_PERM)
    shingles: npt.NDArray[np.int64]  # shingle count per text (a set-size estimate)
    k: npt.NDArray[np.int8]  # shingle length used per text (5, or 3 for short texts)

    def take(self, rows: npt.ArrayLike) -> Signatures:
        """The signatures of these rows."""
        idx = np.asarray(rows, dtype=np.int64)
        return Signatures(self.values[idx], self.shingles[idx], self.k[idx])


def signatures(texts: list[str]) -> Signatures:
    """MinHash signatures of match-folded texts (5-grams; 3-grams below SHORT_TEXT chars)."""
    n = len(texts)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=n)
    ks = np.where(lengths < SHORT_TEXT, SHORT_SHINGLE, SHINGLE).astype(np.int8)
    cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    starts = np.cumsum(lengths) - lengths
    values = np.full((n, NUM_PERM), _EMPTY, dtype=np.uint32)
    from baokan.minhash_kernel import minhash_kernel  # numba: imported on first use

    minhash_kernel(cps, starts, lengths, ks, _POLY, _A, values)
    # A text shorter than its shingle still gets one shingle: the whole text.
    for i in np.flatnonzero((lengths > 0) & (lengths < ks)):  # rare: texts under 3 chars
        values[i] = _A * _whole_text_hash(cps[starts[i] : starts[i] + lengths[i]])
    counts = np.maximum(lengths - ks + 1, np.minimum(lengths, 1))
    return Signatures(values=values, shingles=counts, k=ks)


def shingle_set(folded: str) -> set[str]:
    """The shingles a signature is made of, as strings: 5-grams (3-grams below SHORT_TEXT
    characters), or the whole text if it is shorter than its shingle."""
    k = SHORT_SHINGLE if len(folded) < SHORT_TEXT else SHINGLE
    if len(folded) < k:
        return {folded} if folded else set()
    return {folded[i : i + k] for i in range(len(folded) - k + 1)}


def _whole_text_hash(codes: U32) -> np.uint32:
    """Shingle hash of a text shorter than its shingle (64-bit mixed, as stored since v1)."""
    x = int((codes * _POLY).sum(dtype=np.uint64))
    for shift, mult in ((16, 0x85EBCA6B), (13, 0xC2B2AE35)):
        x = ((x ^ (x >> shift)) * mult) & 0xFFFFFFFFFFFFFFFF
    return np.uint32((x ^ (x >> 16)) & 0xFFFFFFFF)


def signatures_parallel(texts: list[str], workers: int | None = None) -> Signatures:
    """`signatures` of a large batch on several threads (the kernel releases the GIL): the same
    values, since every text's signature depends on that text alone."""
    workers = workers or min(4, cpu_count() or 1)
    total = sum(map(len, texts))
    if workers < 2 or len(texts) < 2 * _MIN_SPLIT or total < 2 * _MIN_SPLIT * SHORT_TEXT:
        return signatures(texts)
    # Split where the cumulative length crosses each worker's share: equal work per thread.
    ends = np.cumsum(np.fromiter(map(len, texts), np.int64, len(texts)))
    cuts = np.searchsorted(ends, [total * w // workers for w in range(1, workers)])
    bounds = [0, *sorted({int(c) + 1 for c in cuts if 0 < c + 1 < len(texts)}), len(texts)]
    with ThreadPoolExecutor(max_workers=len(bounds) - 1) as pool:
        parts = list(pool.map(signatures, [texts[a:b] for a, b in pairwise(bounds)]))
    return Signatures(
        values=np.vstack([p.values for p in parts]),
        shingles=np.concatenate([p.shingles for p in parts]),
        k=np.concatenate([p.k for p in parts]),
    )


def _mix64(x: U64) -> U64:
    """splitmix64 finalizer, for band keys."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def band_keys(values: U32, k: npt.NDArray[np.int8]) -> npt.NDArray[np.int64]:
    """One signed 64-bit key per band per text (shape n × BANDS); equal keys are candidates.

    The shingle length is part of the key: 3-gram and 5-gram signatures never collide.
    """
    rows = values.reshape(len(values), BANDS, ROWS).astype(np.uint64)
    code = _BAND_SALT[None, :] + k.astype(np.uint64)[:, None]
    for r in range(ROWS):
        code = _mix64(code ^ rows[:, :, r])
    return code.view(np.int64)


def jaccard(a: U32, b: U32) -> npt.NDArray[np.float64]:
    """Estimated Jaccard similarity of signature rows a[i] and b[i]."""
    return np.asarray((a == b).mean(axis=-1), dtype=np.float64)


def containment(
    j: npt.NDArray[np.float64], na: npt.NDArray[np.int64], nb: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """Estimated containment of the smaller set in the larger, from Jaccard and set sizes."""
    inter = j / (1.0 + j) * (na + nb)
    return np.minimum(inter / np.maximum(np.minimum(na, nb), 1), 1.0)


def sign_folded_stream(
    chunks: Iterable[list[str]],
) -> Iterator[tuple[list[str], Signatures, npt.NDArray[np.int64]]]:
    """Signatures and band keys of successive chunks, overlapping each chunk's signing
    (which releases the GIL) with the production of the next chunk by the caller's generator
    (typically match-folding, which holds it): two cores busy instead of one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: Future[tuple[Signatures, npt.NDArray[np.int64]]] | None = None
        previous: list[str] = []
        for chunk in chunks:
            if pending is not None:
                yield previous, *pending.result()
            pending, previous = pool.submit(_sign_and_band, chunk), chunk
        if pending is not None:
            yield previous, *pending.result()


def _sign_and_band(texts: list[str]) -> tuple[Signatures, npt.NDArray[np.int64]]:
    sig = signatures(texts)
    return sig, band_keys(sig.values, sig.k)
