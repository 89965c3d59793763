"""The compiled MinHash kernel (numba): shingle hashing and per-permutation minimums in one
pass over each text. Imported on first use, so commands that never sign pay no numba import;
compiled once and cached beside this file (`cache=True`)."""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

U32 = npt.NDArray[np.uint32]


@numba.njit(inline="always")
def _mix32(x: np.uint32) -> np.uint32:
    """murmur3 finalizer: spreads a polynomial shingle code over all 32 bits."""
    x = np.uint32(x ^ (x >> np.uint32(16)))
    x = np.uint32(x * np.uint32(0x85EBCA6B))
    x = np.uint32(x ^ (x >> np.uint32(13)))
    x = np.uint32(x * np.uint32(0xC2B2AE35))
    return np.uint32(x ^ (x >> np.uint32(16)))


@numba.njit(cache=True, nogil=True, boundscheck=False)
def minhash_kernel(
    cps: U32, starts: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64],
    ks: npt.NDArray[np.int8], poly: np.uint32, a: U32, out: U32,
) -> None:  # fmt: skip
    """Row t of `out`: min over the k-grams x of text t of mix(code(x))·a[p] mod 2^32, per p,
    and over the row's initial values. Texts shorter than their shingle are left alone (see
    `signatures`). Releases the GIL.

    Every constant of the scheme is an argument or a literal here: numba's cache notices
    changes to this file only, so it must not read globals from another module.
    """
    perms = a.shape[0]
    acc = np.empty(perms, dtype=np.uint32)
    for t in range(lengths.shape[0]):  # no bounds checks below: every array has a row per text
        k = np.int64(ks[t])
        first, last = starts[t], starts[t] + lengths[t] - k
        if last < first:
            continue
        acc[:] = out[t]
        for i in range(first, last + 1):
            code = np.uint32(k)  # polynomial code of the k-gram, mod 2^32
            for j in range(k):
                code = np.uint32(code * poly + cps[i + j])
            x = _mix32(code)
            for p in range(perms):  # vectorized by LLVM: one SIMD multiply and min per lane
                v = np.uint32(x * a[p])
                if v < acc[p]:
                    acc[p] = v
        out[t, :] = acc
