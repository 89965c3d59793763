"""Export the marts to files analysts can open anywhere (Parquet)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.dialect import ARROW_TYPES
from warehouse.schema import MARTS, Mart
from warehouse.store import Warehouse

FORMATS = ("parquet",)
# The (site, date) columns each mart is partitioned by: reprints by their first appearance.
PARTITION_KEYS = {
    "marts.articles": ("site_id", "issue_date"),
    "marts.issues": ("site_id", "issue_date"),
    "marts.ads": ("site_id", "issue_date"),
    "marts.reprints": ("first_site_id", "first_issue_date"),
}


def export_marts(
    store: Warehouse, out_dir: Path, fmt: str = "parquet", partitioned: bool = False
) -> dict[str, int]:
    """Write every mart to `out_dir/<mart>.parquet`; returns rows per file or directory written.

    Each file is written beside its destination and renamed into place, so a reader never
    sees half a file; column types are the documented mart types on both backends. With
    `partitioned`, each mart becomes a Hive-style directory `<mart>/site_id=…/year=…/`,
    read one (site, year) slice at a time, so memory stays one slice however large the mart.
    """
    if fmt not in FORMATS:
        raise ValueError(f"export format {fmt!r} is not supported; choose one of {FORMATS}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for mart in MARTS:
        name = mart.name.split(".")[1]
        if partitioned:
            path = out_dir / name
            written[str(path)] = _export_partitioned(store, mart, path)
            continue
        table = store.mart_table(mart.name)
        path = out_dir / f"{name}.parquet"
        tmp = path.with_suffix(".parquet.tmp")
        pq.write_table(table, tmp)
        os.replace(tmp, path)
        written[str(path)] = table.num_rows
    return written


def _export_partitioned(store: Warehouse, mart: Mart, path: Path) -> int:
    """One mart as `path/site_id=S/year=Y/part-0.parquet`, swapped into place when complete."""
    site_col, date_col = PARTITION_KEYS[mart.name]
    schema = pa.schema([(c, t) for c, t in _arrow_schema(mart) if c != site_col])
    cols = ", ".join(c for c, _, _ in mart.columns if c != site_col)
    year = f"CAST(EXTRACT(YEAR FROM {date_col}) AS INTEGER)"
    slices = store.execute(f"SELECT DISTINCT {site_col}, {year} FROM {mart.name} ORDER BY 1, 2")
    tmp = path.with_name(path.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    rows = 0
    for site, yr in slices:
        table = store.fetch_arrow(
            f"SELECT {cols} FROM {mart.name} WHERE {site_col} = ? AND {year} = ?", [site, yr]
        ).cast(schema)
        part = tmp / f"{site_col}={site}" / f"year={yr}"
        part.mkdir(parents=True)
        pq.write_table(table, part / "part-0.parquet")
        rows += table.num_rows
    tmp.mkdir(exist_ok=True)  # an empty mart is an empty directory, not a missing one
    old = path.with_name(path.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if path.exists():
        path.rename(old)
    tmp.rename(path)
    shutil.rmtree(old, ignore_errors=True)
    return rows


def _arrow_schema(mart: Mart) -> list[tuple[str, pa.DataType]]:
    return [(col, ARROW_TYPES[kind]) for col, kind, _ in mart.columns]
