"""Items: one fetched response, bytes and manifest fields."""

from __future__ import annotations

from dataclasses import dataclass

from baokan.rawzone import ManifestRow


@dataclass
class FetchedItem:
    """A response (or a failed fetch) on its way to the raw zone."""

    row: ManifestRow
    body: bytes | None
