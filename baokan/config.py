"""Settings read from the environment (BAOKAN_DATA_DIR, BAOKAN_WAREHOUSE, BAOKAN_SITES_DIR,
BAOKAN_LOAD_BATCH)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def redact_url(url: str, mask: str | None = "***") -> str:
    """The URL with its password (in the user info or a ?password= parameter) masked.

    Every message, log line and XCom value that shows a warehouse URL goes through this.
    ``mask=None`` drops the password instead: a command to copy (psql) then prompts for it.
    """
    parts = urlsplit(url)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if not (at and ":" in userinfo) and "password" not in parts.query:
        return url  # untouched: urlunsplit would turn duckdb:////abs into duckdb://abs
    if at and ":" in userinfo:
        user = userinfo.partition(":")[0]
        userinfo = user if mask is None else f"{user}:{mask}"
        parts = parts._replace(netloc=f"{userinfo}@{hostport}")
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(k == "password" for k, _ in query):
        kept = [(k, v) for k, v in query if k != "password" or mask is not None]
        masked = [(k, mask if k == "password" and mask is not None else v) for k, v in kept]
        parts = parts._replace(query=urlencode(masked, safe="*"))
    return urlunsplit(parts)


DEFAULT_LOAD_BATCH = 1


def env_count(name: str, text: str | None = None) -> int | None:
    """Environment variable `name` (or `text`) as a whole number ≥ 1; None when unset or empty."""
    text = os.environ.get(name) if text is None else text
    if not text or not text.strip():
        return None
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{name}={text!r}: expected a whole number, 1 or more")
    return value


@dataclass(frozen=True)
class Settings:
    """Where raw data, intermediate files and the warehouse live."""

    data_dir: Path
    warehouse: str
    sites_dir: Path | None
    # Issues a range ingest loads per warehouse transaction (1: one transaction per issue).
    load_batch: int = DEFAULT_LOAD_BATCH

    @classmethod
    def from_env(cls) -> Settings:
        """Build settings from environment variables with embedded defaults."""
        data_dir = Path(os.environ.get("BAOKAN_DATA_DIR") or "data").resolve()
        warehouse = (
            os.environ.get("BAOKAN_WAREHOUSE") or f"duckdb:///{data_dir / 'warehouse.duckdb'}"
        )
        sites = os.environ.get("BAOKAN_SITES_DIR")
        return cls(
            data_dir=data_dir,
            warehouse=warehouse,
            sites_dir=Path(sites) if sites else None,
            load_batch=env_count("BAOKAN_LOAD_BATCH") or DEFAULT_LOAD_BATCH,
        )

    @property
    def raw_dir(self) -> Path:
        """Root of the immutable raw landing zone."""
        return self.data_dir / "raw"

    def parsed_path(self, site_id: str, issue_date: str) -> Path:
        """Parser output for one issue."""
        return self.data_dir / "parsed" / site_id / f"{issue_date}.json"

    def staged_path(self, site_id: str, issue_date: str) -> Path:
        """Deduplicated output for one issue, ready to load."""
        return self.data_dir / "staged" / site_id / f"{issue_date}.json"

    def log_path(self, name: str) -> Path:
        """A log file under the data directory."""
        return self.data_dir / "logs" / name
