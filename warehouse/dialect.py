"""Where DuckDB and PostgreSQL differ: type names, placeholders, per-backend statements.

Every other warehouse module writes one SQL text for both backends; DDL names logical types
as ``{text}``, ``{date}``, … and this module renders them for one backend.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

# Logical column types used by the schema and the migrations, with their Arrow types.
ARROW_TYPES: dict[str, pa.DataType] = {
    "text": pa.string(),
    "int": pa.int32(),
    "bigint": pa.int64(),
    "double": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamptz": pa.timestamp("us", tz="UTC"),
    "double[]": pa.list_(pa.float64()),
    "text[]": pa.list_(pa.string()),
}


@dataclass(frozen=True)
class Dialect:
    """One backend's spelling of the logical types and of query parameters."""

    name: str  # 'duckdb' | 'postgresql'
    types: dict[str, str]

    def render(self, sql: str) -> str:
        """Replace ``{text}``-style type placeholders with this backend's type names."""
        return sql.format(**{_key(k): v for k, v in self.types.items()})

    def params(self, sql: str) -> str:
        """Translate ``?`` placeholders into this backend's parameter style."""
        if self.name == "postgresql":
            return sql.replace("%", "%%").replace("?", "%s")
        return sql


def _key(logical: str) -> str:
    return logical.replace("[]", "_list")


DUCKDB = Dialect(
    "duckdb",
    {
        "text": "VARCHAR",
        "int": "INTEGER",
        "bigint": "BIGINT",
        "double": "DOUBLE",
        "bool": "BOOLEAN",
        "date": "DATE",
        "timestamptz": "TIMESTAMPTZ",
        "double[]": "DOUBLE[]",
        "text[]": "VARCHAR[]",
    },
)

POSTGRESQL = Dialect(
    "postgresql",
    {
        "text": "TEXT",
        "int": "INTEGER",
        "bigint": "BIGINT",
        "double": "DOUBLE PRECISION",
        "bool": "BOOLEAN",
        "date": "DATE",
        "timestamptz": "TIMESTAMPTZ",
        "double[]": "DOUBLE PRECISION[]",
        "text[]": "TEXT[]",
    },
)
