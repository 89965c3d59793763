"""The raw landing zone: immutable content-addressed bytes plus a manifest per issue."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import IO, Any

from baokan.fsutil import write_bytes_atomic
from baokan.models import Problem

_SHA = re.compile(r"^[0-9a-f]{64}$")
_SITE_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")
KINDS = ("layout", "pdf", "article")
# Problem kinds that mean the raw zone itself is damaged (not the site): see steps.load_issue.
RAW_OBJECT = "raw_object"
MANIFEST_LINE = "manifest_line"


class RawObjectError(OSError):
    """A stored object is missing or its bytes do not hash to its name."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"object {path} {message}")
        self.path = path


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

    @classmethod
    def parse(cls, data: object) -> ManifestRow:
        """A row from decoded JSON; ValueError says which field is missing or of the wrong type."""
        if not isinstance(data, dict):
            raise ValueError(f"not a JSON object but {type(data).__name__}")
        for f in fields(cls):
            if f.name not in data:
                if f.default is None:
                    continue  # optional fields of older manifests
                raise ValueError(f"missing field {f.name!r}")
            _check_field(f.name, data[f.name])
        return cls.from_dict(data)


# What each manifest field may hold; None where the field may be null.
_TYPES: dict[str, tuple[type, bool]] = {
    "site_id": (str, False),
    "issue_date": (str, False),
    "kind": (str, False),
    "url": (str, False),
    "fetched_url": (str, False),
    "status": (int, True),
    "content_type": (str, True),
    "size": (int, False),
    "sha256": (str, True),
    "fetched_at": (str, False),
    "page_label": (str, True),
    "error": (str, True),
}


def _check_field(name: str, value: object) -> None:
    kind, nullable = _TYPES[name]
    if value is None and nullable:
        return
    # bool is an int subclass in Python, but never a status or a size.
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError(f"field {name!r} must be {kind.__name__}, got {value!r}")
    if isinstance(value, str) and "\x00" in value:
        raise ValueError(f"field {name!r} contains a NUL character")
    if name == "kind" and value not in KINDS + POLICY_KINDS:
        allowed = ", ".join(KINDS + POLICY_KINDS)
        raise ValueError(f"field 'kind' must be one of {allowed}, got {value!r}")
    if name == "sha256" and not _SHA.match(str(value)):
        raise ValueError(f"field 'sha256' is not a sha256 hex digest: {value!r}")
    if name == "size" and isinstance(value, int) and value < 0:
        raise ValueError(f"field 'size' is negative: {value}")


@dataclass
class ManifestRead:
    """The valid rows of an issue's manifest, and a problem for every line that was not one."""

    rows: list[ManifestRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


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
        """Store bytes once under their sha256 (replacing a damaged copy) and return the digest."""
        digest = hashlib.sha256(data).hexdigest()
        path = self.object_path(digest)
        if not _holds(path, data):
            write_bytes_atomic(path, data)
        return digest

    def get(self, sha256: str) -> bytes:
        """The stored bytes for a digest, verified: RawObjectError if missing or damaged."""
        path = self.object_path(sha256)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise RawObjectError(path, "is missing") from None
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256:
            raise RawObjectError(path, f"is corrupt: its {len(data)} bytes hash to {actual}")
        return data

    def verify(self, sha256: str) -> str | None:
        """None if the object is intact, else what is wrong with it (path included)."""
        try:
            self.get(sha256)
        except RawObjectError as exc:
            return str(exc)
        return None

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
        read = self.read_manifest_checked(site_id, issue_date)
        if include_partial:
            path = self.manifest_path(site_id, issue_date)
            # A torn last line of an interrupted crawl is expected there: that fetch is redone.
            read.rows += _read_rows(path.with_name(path.name + ".part")).rows
        return read.rows

    def read_manifest_checked(self, site_id: str, issue_date: str) -> ManifestRead:
        """The committed manifest's valid rows, plus a problem per invalid line (file:line)."""
        return _read_rows(self.manifest_path(site_id, issue_date))

    def lock_path(self, site_id: str, issue_date: str) -> Path:
        """The lock file a crawl of one issue holds (see baokan.crawl.issue_locks)."""
        check_key(site_id, issue_date)
        return self.root / "locks" / site_id / f"{issue_date}.lock"


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except FileNotFoundError:
        return False


def _read_rows(path: Path) -> ManifestRead:
    read = ManifestRead()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return read
    for number, line in enumerate(raw.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            read.rows.append(_parse_line(line))
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            read.problems.append(Problem(MANIFEST_LINE, f"{path}:{number}", str(exc)))
    return read


def _parse_line(line: bytes) -> ManifestRow:
    if b"\x00" in line:
        raise ValueError("line contains a NUL byte")
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    return ManifestRow.parse(data)
