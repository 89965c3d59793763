"""The raw landing zone: immutable content-addressed bytes plus a manifest per issue."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, fields
from datetime import date
from pathlib import Path
from typing import IO, Any

from baokan.fsutil import write_bytes_atomic

_SHA = re.compile(r"^[0-9a-f]{64}$")
_SITE_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")


@dataclass
class ManifestRow:
    """One fetch: what was asked for, what came back, and where its bytes are stored."""

    site_id: str
    issue_date: str
    kind: str  # 'layout' | 'pdf' | 'article', or a POLICY_KINDS row
    url: str  # canonical URL on the site's own host
    fetched_url: str  # where the bytes actually came from (a mirror, after redirects)
    status: int | None
    content_type: str | None
    size: int
    sha256: str | None
    fetched_at: str
    page_label: str | None = None
    error: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ManifestRow:
        """Build a row from its JSON form, ignoring keys this version does not know."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def check_key(site_id: str, issue_date: str) -> None:
    """Refuse ids that could escape the zone's directory layout (only a-z0-9_- and YYYY-MM-DD)."""
    if not isinstance(site_id, str) or not _SITE_ID.fullmatch(site_id):
        raise ValueError(f"invalid site id {site_id!r}")
    try:
        ok = (
            isinstance(issue_date, str) and date.fromisoformat(issue_date).isoformat() == issue_date
        )
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"invalid issue date {issue_date!r}: expected YYYY-MM-DD")


# Rows for what the crawl's policy refused to fetch (an off-site link or redirect, a link
# beyond a cap): recorded so they are visible, never failures a re-crawl could fix.
POLICY_KINDS = ("offsite", "capped")


def is_no_issue(status: int | None) -> bool:
    """An issue index answered 4xx or redirected off its date: no paper that day, no failure."""
    # The spider records a 3xx only for an entry page redirected out of its dated directory.
    return status is not None and 300 <= status < 500


class ManifestWriter:
    """Appends rows to a .part file; commit() renames it over the issue's manifest."""

    def __init__(self, final: Path) -> None:
        self.final = final
        self.part = final.with_name(final.name + ".part")
        final.parent.mkdir(parents=True, exist_ok=True)
        self._fh: IO[str] | None = self.part.open("w", encoding="utf-8")
        self.rows = 0

    def write(self, row: ManifestRow) -> None:
        """Append one row and flush it, so progress is visible while crawling."""
        assert self._fh is not None, "manifest already committed"
        self._fh.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")
        self._fh.flush()
        self.rows += 1

    def commit(self) -> None:
        """Make the manifest visible under its final name in one rename."""
        if self._fh is None:
            return
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        self._fh = None
        os.replace(self.part, self.final)


class RawZone:
    """Files under <data>/raw: objects/ab/abcdef… and manifests/<site>/<date>.jsonl."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def object_path(self, sha256: str) -> Path:
        """Where the bytes with this hash live; only a hex digest is accepted."""
        if not _SHA.match(sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / "objects" / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        """Store bytes once under their sha256 and return the digest."""
        digest = hashlib.sha256(data).hexdigest()
        path = self.object_path(digest)
        if not path.exists():
            write_bytes_atomic(path, data)
        return digest

    def get(self, sha256: str) -> bytes:
        """The stored bytes for a digest."""
        return self.object_path(sha256).read_bytes()

    def manifest_path(self, site_id: str, issue_date: str) -> Path:
        """The committed manifest of one issue."""
        check_key(site_id, issue_date)
        return self.root / "manifests" / site_id / f"{issue_date}.jsonl"

    def manifest_writer(self, site_id: str, issue_date: str) -> ManifestWriter:
        """A writer that replaces the issue's manifest when committed."""
        return ManifestWriter(self.manifest_path(site_id, issue_date))

    def read_manifest(
        self, site_id: str, issue_date: str, include_partial: bool = False
    ) -> list[ManifestRow]:
        """Rows of the issue's committed manifest (empty if it was never crawled).

        include_partial adds the rows of an interrupted crawl's .part file, so a resumed
        crawl re-fetches only what is still missing.
        """
        path = self.manifest_path(site_id, issue_date)
        paths = [path, path.with_name(path.name + ".part")] if include_partial else [path]
        rows: list[ManifestRow] = []
        for p in paths:
            if p.exists():
                rows += _read_rows(p)
        return rows


def _read_rows(path: Path) -> list[ManifestRow]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                rows.append(ManifestRow.from_dict(json.loads(line)))
            except (json.JSONDecodeError, TypeError):
                continue  # a torn last line of an interrupted crawl: that fetch is redone
    return rows
