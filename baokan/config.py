"""Settings read from the environment (BAOKAN_DATA_DIR, BAOKAN_WAREHOUSE, BAOKAN_SITES_DIR)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Where raw data, intermediate files and the warehouse live."""

    data_dir: Path
    warehouse: str
    sites_dir: Path | None

    @classmethod
    def from_env(cls) -> Settings:
        """Build settings from environment variables with embedded defaults."""
        data_dir = Path(os.environ.get("BAOKAN_DATA_DIR") or "data").resolve()
        warehouse = (
            os.environ.get("BAOKAN_WAREHOUSE") or f"duckdb:///{data_dir / 'warehouse.duckdb'}"
        )
        sites = os.environ.get("BAOKAN_SITES_DIR")
        return cls(data_dir=data_dir, warehouse=warehouse, sites_dir=Path(sites) if sites else None)

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
