"""Export the marts to files analysts can open anywhere (Parquet)."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow.parquet as pq

from warehouse.schema import MARTS
from warehouse.store import Warehouse

FORMATS = ("parquet",)


def export_marts(store: Warehouse, out_dir: Path, fmt: str = "parquet") -> dict[str, int]:
    """Write every mart to `out_dir/<mart>.parquet`; returns rows per file written.

    Each file is written beside its destination and renamed into place, so a reader never
    sees half a file; column types are the documented mart types on both backends.
    """
    if fmt not in FORMATS:
        raise ValueError(f"export format {fmt!r} is not supported; choose one of {FORMATS}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for mart in MARTS:
        table = store.mart_table(mart.name)
        path = out_dir / f"{mart.name.split('.')[1]}.parquet"
        tmp = path.with_suffix(".parquet.tmp")
        pq.write_table(table, tmp)
        os.replace(tmp, path)
        written[str(path)] = table.num_rows
    return written
