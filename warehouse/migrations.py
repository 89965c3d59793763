"""Versioned schema migrations, applied automatically and exactly once per warehouse.

``core.schema_migrations`` records each applied migration with a checksum of its SQL. Opening
a warehouse applies the missing ones in order, each in its own transaction with its record,
so a crash leaves either the old or the new version. Migration 1 is the foundation schema
with ``IF NOT EXISTS``: a warehouse created before migrations existed is adopted as is.
Marts are views: they are dropped and re-created whenever their SQL or comments change.

To change the schema, append a migration (never edit an applied one: the checksum check
refuses to open a warehouse whose history differs from the code) and update TABLES.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from warehouse.dedup_store import ddl_v5 as dedup_ddl
from warehouse.dedup_store import items_ddl, probe_ddl, tier_ddl
from warehouse.dialect import Dialect
from warehouse.schema import MARTS


@dataclass(frozen=True)
class Migration:
    """One schema version: statements for both backends plus per-backend extras."""

    version: int
    name: str
    statements: tuple[str, ...]
    only: dict[str, tuple[str, ...]] | None = None  # backend name → extra statements

    def sql(self, dialect: Dialect) -> list[str]:
        """The statements to run on this backend, types rendered."""
        extra = (self.only or {}).get(dialect.name, ())
        return [dialect.render(s) for s in (*self.statements, *extra)]


FOUNDATION = (
    """CREATE TABLE IF NOT EXISTS raw.manifest (
        site_id {text} NOT NULL, issue_date {date} NOT NULL, kind {text} NOT NULL,
        url {text} NOT NULL, fetched_url {text}, status {int}, content_type {text},
        size {bigint}, sha256 {text}, fetched_at {timestamptz}, page_label {text}, error {text})""",
    """CREATE TABLE IF NOT EXISTS core.publications (
        site_id {text} PRIMARY KEY, publication {text} NOT NULL, family {text} NOT NULL,
        base_url {text} NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS core.issues (
        site_id {text} NOT NULL, issue_date {date} NOT NULL, status {text} NOT NULL,
        pages_listed {int} NOT NULL, pages_fetched {int} NOT NULL,
        pages_parsed {int} NOT NULL, articles {int} NOT NULL, ads {int} NOT NULL,
        problems {int} NOT NULL, parser_version {text} NOT NULL, load_run {text} NOT NULL,
        PRIMARY KEY (site_id, issue_date))""",
    """CREATE TABLE IF NOT EXISTS core.pages (
        site_id {text} NOT NULL, issue_date {date} NOT NULL, page_label {text} NOT NULL,
        page_name {text}, position {int} NOT NULL, url {text} NOT NULL, pdf_url {text},
        pdf_sha256 {text}, fetched {bool} NOT NULL, parsed {bool} NOT NULL,
        text_layer {text}, load_run {text} NOT NULL,
        PRIMARY KEY (site_id, issue_date, page_label))""",
    """CREATE TABLE IF NOT EXISTS core.articles (
        article_id {text} PRIMARY KEY, site_id {text} NOT NULL, issue_date {date} NOT NULL,
        page_label {text} NOT NULL, position {int} NOT NULL, kicker {text},
        title {text} NOT NULL, subtitle {text}, author {text}, body {text} NOT NULL,
        url {text}, html_sha256 {text}, pdf_sha256 {text}, bbox {double_list},
        text_source {text} NOT NULL, pdf_html_similarity {double}, match_hash {text},
        cluster_id {text}, parser_version {text} NOT NULL, load_run {text} NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS core.ads (
        ad_id {text} PRIMARY KEY, site_id {text} NOT NULL, issue_date {date} NOT NULL,
        page_label {text} NOT NULL, position {int} NOT NULL, text {text} NOT NULL,
        bbox {double_list}, pdf_sha256 {text}, match_hash {text}, cluster_id {text},
        load_run {text} NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS core.problems (
        site_id {text} NOT NULL, issue_date {date} NOT NULL, kind {text} NOT NULL,
        source {text} NOT NULL, message {text} NOT NULL, load_run {text} NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS core.load_runs (
        load_run {text} PRIMARY KEY, site_id {text} NOT NULL, issue_date {date} NOT NULL,
        loaded_at {timestamptz} NOT NULL, articles {int} NOT NULL,
        parser_version {text} NOT NULL)""",
)

PROVENANCE = (
    "ALTER TABLE raw.manifest ADD COLUMN IF NOT EXISTS load_run {text}",
    "ALTER TABLE core.publications ADD COLUMN IF NOT EXISTS load_run {text}",
    "ALTER TABLE core.pages ADD COLUMN IF NOT EXISTS parser_version {text}",
    "ALTER TABLE core.ads ADD COLUMN IF NOT EXISTS url {text}",
    "ALTER TABLE core.ads ADD COLUMN IF NOT EXISTS parser_version {text}",
    "ALTER TABLE core.problems ADD COLUMN IF NOT EXISTS parser_version {text}",
)

# PostgreSQL: re-loads delete by (site_id, issue_date), so every issue table is indexed on
# it; substring search (LIKE '%…%') on titles uses a trigram GIN index, which pg_trgm builds
# for CJK text too (3+ characters). Bodies are not indexed in the load path: a trigram index
# on 1,500-character bodies cut COPY from ~14,700 to under 100 rows/s (scripts/bench_load.py);
# docs/warehouse.md shows the one statement that adds it where search matters more.
# DuckDB scans with zone maps instead.
POSTGRES_INDEXES = (
    *(
        f"CREATE INDEX IF NOT EXISTS {t.split('.')[1]}_issue_idx ON {t} (site_id, issue_date)"
        # The issue tables of migration 3's day, spelled out: an applied migration never
        # changes (later issue tables index themselves in their own migration).
        for t in ("raw.manifest", "core.articles", "core.ads", "core.problems")
    ),
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # A 64 MB pending list batches index maintenance: ~20% faster loads (bench_load.py);
    # searches read the pending list until (auto)vacuum merges it.
    "CREATE INDEX IF NOT EXISTS articles_title_trgm ON core.articles "
    "USING gin (title gin_trgm_ops) WITH (gin_pending_list_limit = 65536)",
)

# PostgreSQL compresses long bodies when it stores them; lz4 instead of the default pglz
# doubled COPY throughput of 1,500-character articles (scripts/bench_load.py). PostgreSQL 14+.
POSTGRES_LZ4 = (
    "ALTER TABLE core.articles ALTER COLUMN body SET COMPRESSION lz4",
    "ALTER TABLE core.ads ALTER COLUMN text SET COMPRESSION lz4",
)

# Dedup state (warehouse/dedup_store.py): MinHash signatures, LSH band keys, cluster members.
DEDUP = Migration(
    5,
    "dedup signatures, band keys and cluster members",
    (),
    {d: tuple(dedup_ddl(d)) for d in ("duckdb", "postgresql")},
)

# PostgreSQL: a small recent tier for new band keys (warehouse/dedup_store.py says why).
# Existing band keys stay where they are: the main tier.
DEDUP_TIERS = Migration(6, "recent band-key tier", (), {"postgresql": tuple(tier_ddl())})

# PostgreSQL: where a batch's band keys are staged for a parallel probe (dedup_store.py).
DEDUP_PROBE = Migration(7, "band-key probe table", (), {"postgresql": tuple(probe_ddl())})

# PostgreSQL: recent band keys of large batches as one unindexed row per item, keys in an
# array: written ~10× faster than one indexed row per key (dedup_store.py says why).
DEDUP_RECENT_ITEMS = Migration(
    8, "recent band keys by item", (), {"postgresql": tuple(items_ddl())}
)

# Bylines split into role and names (parsers/byline.py). Rows loaded before keep NULL in both
# until their issue is loaded again (`baokan reparse`): NULL says "not split", [] "no names".
BYLINES = Migration(
    9,
    "byline role and names on articles",
    (
        "ALTER TABLE core.articles ADD COLUMN IF NOT EXISTS author_role {text}",
        "ALTER TABLE core.articles ADD COLUMN IF NOT EXISTS author_names {text_list}",
    ),
)

# Every character accounted for (parsers/coverage.py): each page's character count and the
# share the parser placed, ads told from notices, and the text no role was found for.
COVERAGE = Migration(
    10,
    "page coverage, ad kinds and unassigned blocks",
    (
        "ALTER TABLE core.pages ADD COLUMN IF NOT EXISTS chars {int}",
        "ALTER TABLE core.pages ADD COLUMN IF NOT EXISTS coverage {double}",
        "ALTER TABLE core.ads ADD COLUMN IF NOT EXISTS kind {text}",
        """CREATE TABLE IF NOT EXISTS core.unassigned_blocks (
        block_id {text} PRIMARY KEY, site_id {text} NOT NULL, issue_date {date} NOT NULL,
        page_label {text} NOT NULL, position {int} NOT NULL, text {text} NOT NULL,
        bbox {double_list}, pdf_sha256 {text}, reason {text} NOT NULL,
        parser_version {text} NOT NULL, load_run {text} NOT NULL)""",
    ),
    {
        "postgresql": (
            "CREATE INDEX IF NOT EXISTS unassigned_blocks_issue_idx "
            "ON core.unassigned_blocks (site_id, issue_date)",
        )
    },
)

MIGRATIONS = (
    Migration(1, "foundation schema", FOUNDATION),
    Migration(2, "provenance columns on every core table", PROVENANCE),
    Migration(3, "indexes for re-loads and substring search", (), {"postgresql": POSTGRES_INDEXES}),
    Migration(4, "lz4 compression for long text", (), {"postgresql": POSTGRES_LZ4}),
    DEDUP,
    DEDUP_TIERS,
    DEDUP_PROBE,
    DEDUP_RECENT_ITEMS,
    BYLINES,
    COVERAGE,
)

BOOTSTRAP = (
    *(f"CREATE SCHEMA IF NOT EXISTS {s}" for s in ("raw", "core", "marts")),
    """CREATE TABLE IF NOT EXISTS core.schema_migrations (
        migration {text} PRIMARY KEY, checksum {text} NOT NULL, applied_at {timestamptz} NOT NULL)""",
)

MARTS_KEY = "marts"  # the schema_migrations row holding the checksum of the mart views


def checksum(statements: list[str]) -> str:
    """sha256 of a migration's statements, to notice a migration edited after it ran."""
    return hashlib.sha256("\n;\n".join(statements).encode("utf-8")).hexdigest()


def migration_key(m: Migration) -> str:
    """The schema_migrations key of a versioned migration: zero-padded version and name."""
    return f"{m.version:04d} {m.name}"


def marts_sql() -> list[str]:
    """Drop and re-create every mart view with a comment on every column."""
    drops = [f"DROP VIEW IF EXISTS {m.name}" for m in reversed(MARTS)]
    creates: list[str] = []
    for mart in MARTS:
        creates.append(f"CREATE VIEW {mart.name} AS\n{mart.sql}")
        creates += [
            f"COMMENT ON COLUMN {mart.name}.{col} IS '{_literal(comment)}'"
            for col, _, comment in mart.columns
        ]
    return drops + creates


def _literal(text: str) -> str:
    # COMMENT ON takes no parameters on either backend; comments are constants of this module.
    return text.replace("'", "''")
