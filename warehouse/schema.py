"""Warehouse DDL: raw (manifest as loaded), core (entities), marts (the analysts' contract)."""

SCHEMAS = ("raw", "core", "marts")

TABLES = (
    """CREATE TABLE IF NOT EXISTS raw.manifest (
        site_id VARCHAR NOT NULL, issue_date DATE NOT NULL, kind VARCHAR NOT NULL,
        url VARCHAR NOT NULL, fetched_url VARCHAR, status INTEGER, content_type VARCHAR,
        size BIGINT, sha256 VARCHAR, fetched_at TIMESTAMPTZ, page_label VARCHAR, error VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS core.publications (
        site_id VARCHAR PRIMARY KEY, publication VARCHAR NOT NULL, family VARCHAR NOT NULL,
        base_url VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS core.issues (
        site_id VARCHAR NOT NULL, issue_date DATE NOT NULL, status VARCHAR NOT NULL,
        pages_listed INTEGER NOT NULL, pages_fetched INTEGER NOT NULL,
        pages_parsed INTEGER NOT NULL, articles INTEGER NOT NULL, ads INTEGER NOT NULL,
        problems INTEGER NOT NULL, parser_version VARCHAR NOT NULL, load_run VARCHAR NOT NULL,
        PRIMARY KEY (site_id, issue_date))""",
    """CREATE TABLE IF NOT EXISTS core.pages (
        site_id VARCHAR NOT NULL, issue_date DATE NOT NULL, page_label VARCHAR NOT NULL,
        page_name VARCHAR, position INTEGER NOT NULL, url VARCHAR NOT NULL, pdf_url VARCHAR,
        pdf_sha256 VARCHAR, fetched BOOLEAN NOT NULL, parsed BOOLEAN NOT NULL,
        text_layer VARCHAR, load_run VARCHAR NOT NULL,
        PRIMARY KEY (site_id, issue_date, page_label))""",
    """CREATE TABLE IF NOT EXISTS core.articles (
        article_id VARCHAR PRIMARY KEY, site_id VARCHAR NOT NULL, issue_date DATE NOT NULL,
        page_label VARCHAR NOT NULL, position INTEGER NOT NULL, kicker VARCHAR,
        title VARCHAR NOT NULL, subtitle VARCHAR, author VARCHAR, body VARCHAR NOT NULL,
        url VARCHAR, html_sha256 VARCHAR, pdf_sha256 VARCHAR, bbox DOUBLE[],
        text_source VARCHAR NOT NULL, pdf_html_similarity DOUBLE, match_hash VARCHAR,
        cluster_id VARCHAR, parser_version VARCHAR NOT NULL, load_run VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS core.ads (
        ad_id VARCHAR PRIMARY KEY, site_id VARCHAR NOT NULL, issue_date DATE NOT NULL,
        page_label VARCHAR NOT NULL, position INTEGER NOT NULL, text VARCHAR NOT NULL,
        bbox DOUBLE[], pdf_sha256 VARCHAR, match_hash VARCHAR, cluster_id VARCHAR,
        load_run VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS core.problems (
        site_id VARCHAR NOT NULL, issue_date DATE NOT NULL, kind VARCHAR NOT NULL,
        source VARCHAR NOT NULL, message VARCHAR NOT NULL, load_run VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS core.load_runs (
        load_run VARCHAR PRIMARY KEY, site_id VARCHAR NOT NULL, issue_date DATE NOT NULL,
        loaded_at TIMESTAMPTZ NOT NULL, articles INTEGER NOT NULL,
        parser_version VARCHAR NOT NULL)""",
)

# Tables holding one issue's rows: a re-load deletes exactly these rows, then inserts.
ISSUE_TABLES = (
    "raw.manifest",
    "core.issues",
    "core.pages",
    "core.articles",
    "core.ads",
    "core.problems",
)

VIEWS = (
    """CREATE OR REPLACE VIEW marts.articles AS
    SELECT a.article_id, a.site_id, p.publication, a.issue_date, a.page_label, pg.page_name,
           a.position, a.kicker, a.title, a.subtitle, a.author, a.body,
           length(a.body) AS char_count, a.url, a.pdf_sha256, a.bbox, a.text_source,
           a.pdf_html_similarity, m.cluster_id, m.is_canonical,
           m.relation AS cluster_relation, a.parser_version
    FROM core.articles a
    JOIN core.publications p ON p.site_id = a.site_id
    LEFT JOIN core.cluster_members m ON m.item_id = a.article_id
    LEFT JOIN core.pages pg ON pg.site_id = a.site_id AND pg.issue_date = a.issue_date
                           AND pg.page_label = a.page_label""",
    """CREATE OR REPLACE VIEW marts.issues AS
    SELECT i.site_id, p.publication, i.issue_date, i.pages_listed, i.pages_fetched,
           i.pages_parsed, i.articles, i.ads, i.problems, i.status, i.parser_version
    FROM core.issues i JOIN core.publications p ON p.site_id = i.site_id""",
    # One row per appearance of a story that ran in more than one issue or publication
    # (clusters and relations: warehouse/dedup_store.py).
    """CREATE OR REPLACE VIEW marts.reprints AS
    WITH spans AS (
        SELECT cluster_id, count(*) AS members, count(DISTINCT site_id) AS publications,
               count(DISTINCT site_id || '/' || CAST(issue_date AS VARCHAR)) AS issues
        FROM core.cluster_members WHERE kind = 'article' GROUP BY cluster_id
        HAVING count(DISTINCT site_id || '/' || CAST(issue_date AS VARCHAR)) > 1)
    SELECT m.cluster_id, s.members, s.issues, s.publications, a.article_id, a.site_id,
           p.publication, a.issue_date, a.page_label, a.title, a.url, m.is_canonical,
           m.relation, m.similarity, m.method, m.rule_version
    FROM spans s
    JOIN core.cluster_members m ON m.cluster_id = s.cluster_id
    JOIN core.articles a ON a.article_id = m.item_id
    JOIN core.publications p ON p.site_id = a.site_id""",
)
