"""Pipeline: store each response's bytes by sha256 and write its manifest row."""

from __future__ import annotations

from baokan.config import Settings
from baokan.rawzone import ManifestWriter, RawZone
from spiders.items import FetchedItem


class RawZonePipeline:
    """Writes objects as they arrive; each issue's manifest is committed when the crawl ends."""

    def open_spider(self) -> None:
        """Open the raw zone named by BAOKAN_DATA_DIR."""
        self.zone = RawZone(Settings.from_env().raw_dir)
        self.writers: dict[tuple[str, str], ManifestWriter] = {}

    def process_item(self, item: FetchedItem) -> FetchedItem:
        """Store the body (once per digest) and append the manifest row."""
        row = item.row
        if item.body is not None:
            row.sha256 = self.zone.put(item.body)
            row.size = len(item.body)
        key = (row.site_id, row.issue_date)
        if key not in self.writers:
            self.writers[key] = self.zone.manifest_writer(*key)
        self.writers[key].write(row)
        return item

    def close_spider(self) -> None:
        """Commit every issue's manifest: rows fetched so far are never thrown away."""
        for writer in self.writers.values():
            writer.commit()
