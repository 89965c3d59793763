"""The warehouse contract: current tables (raw, core) and the analysts' marts with comments.

Tables are created and changed only by warehouse/migrations.py; ``TABLES`` says what they look
like after the last migration (a test checks both backends against it) and is what the
loaders write. Marts are views over core, re-created whenever their SQL here changes; they hold content
only (no load run ids or load times), so the same input gives the same mart rows on every
backend and every re-run. Which run wrote a row is in core (load_run) and core.load_runs.
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEMAS = ("raw", "core", "marts")

Column = tuple[str, str]  # (name, logical type: see warehouse/dialect.py)

TABLES: dict[str, tuple[Column, ...]] = {
    "raw.manifest": (
        ("site_id", "text"), ("issue_date", "date"), ("kind", "text"), ("url", "text"),
        ("fetched_url", "text"), ("status", "int"), ("content_type", "text"), ("size", "bigint"),
        ("sha256", "text"), ("fetched_at", "timestamptz"), ("page_label", "text"),
        ("error", "text"), ("load_run", "text"),
    ),
    "core.publications": (
        ("site_id", "text"), ("publication", "text"), ("family", "text"), ("base_url", "text"),
        ("load_run", "text"),
    ),
    "core.issues": (
        ("site_id", "text"), ("issue_date", "date"), ("status", "text"), ("pages_listed", "int"),
        ("pages_fetched", "int"), ("pages_parsed", "int"), ("articles", "int"), ("ads", "int"),
        ("problems", "int"), ("parser_version", "text"), ("load_run", "text"),
    ),
    "core.pages": (
        ("site_id", "text"), ("issue_date", "date"), ("page_label", "text"),
        ("page_name", "text"), ("position", "int"), ("url", "text"), ("pdf_url", "text"),
        ("pdf_sha256", "text"), ("fetched", "bool"), ("parsed", "bool"), ("text_layer", "text"),
        ("load_run", "text"), ("parser_version", "text"), ("chars", "int"), ("coverage", "double"),
    ),
    "core.articles": (
        ("article_id", "text"), ("site_id", "text"), ("issue_date", "date"),
        ("page_label", "text"), ("position", "int"), ("kicker", "text"), ("title", "text"),
        ("subtitle", "text"), ("author", "text"), ("body", "text"), ("url", "text"),
        ("html_sha256", "text"), ("pdf_sha256", "text"), ("bbox", "double[]"),
        ("text_source", "text"), ("pdf_html_similarity", "double"), ("match_hash", "text"),
        ("cluster_id", "text"), ("parser_version", "text"), ("load_run", "text"),
        ("author_role", "text"), ("author_names", "text[]"),
    ),
    "core.ads": (
        ("ad_id", "text"), ("site_id", "text"), ("issue_date", "date"), ("page_label", "text"),
        ("position", "int"), ("text", "text"), ("bbox", "double[]"), ("pdf_sha256", "text"),
        ("match_hash", "text"), ("cluster_id", "text"), ("load_run", "text"), ("url", "text"),
        ("parser_version", "text"), ("kind", "text"),
    ),
    "core.unassigned_blocks": (
        ("block_id", "text"), ("site_id", "text"), ("issue_date", "date"), ("page_label", "text"),
        ("position", "int"), ("text", "text"), ("bbox", "double[]"), ("pdf_sha256", "text"),
        ("reason", "text"), ("parser_version", "text"), ("load_run", "text"),
    ),
    "core.problems": (
        ("site_id", "text"), ("issue_date", "date"), ("kind", "text"), ("source", "text"),
        ("message", "text"), ("load_run", "text"), ("parser_version", "text"),
    ),
    "core.load_runs": (
        ("load_run", "text"), ("site_id", "text"), ("issue_date", "date"),
        ("loaded_at", "timestamptz"), ("articles", "int"), ("parser_version", "text"),
    ),
}  # fmt: skip

# Tables holding one issue's rows: a re-load deletes exactly these rows, then inserts.
ISSUE_TABLES = (
    "raw.manifest",
    "core.issues",
    "core.pages",
    "core.articles",
    "core.ads",
    "core.problems",
    "core.unassigned_blocks",
)


@dataclass(frozen=True)
class Mart:
    """One analyst-facing view: its SQL and a comment for every column, in column order."""

    name: str
    sql: str
    columns: tuple[tuple[str, str, str], ...]  # (name, logical type, comment)


ARTICLES = Mart(
    "marts.articles",
    """SELECT a.article_id, a.site_id, p.publication, a.issue_date, a.page_label, pg.page_name,
       a.position, a.kicker, a.title, a.subtitle, a.author, a.author_role, a.author_names, a.body,
       CAST(char_length(a.body) AS INTEGER) AS char_count, a.url, a.pdf_sha256, a.bbox, a.text_source,
       a.pdf_html_similarity, m.cluster_id, m.is_canonical, m.relation AS cluster_relation,
       a.parser_version
FROM core.articles a
JOIN core.publications p ON p.site_id = a.site_id
LEFT JOIN core.cluster_members m ON m.item_id = a.article_id
LEFT JOIN core.pages pg ON pg.site_id = a.site_id AND pg.issue_date = a.issue_date
                       AND pg.page_label = a.page_label""",
    (
        ("article_id", "text", "Stable key of this appearance: same site, date, page and slot → same id on every re-parse."),
        ("site_id", "text", "Site profile id of the newspaper (baokan sites)."),
        ("publication", "text", "Newspaper name, e.g. 中国高新技术产业导报."),
        ("issue_date", "date", "Date of the issue the article appeared in."),
        ("page_label", "text", "Page (版) label as the site prints it, e.g. A1 or 01."),
        ("page_name", "text", "Page (版面) name, e.g. 要闻; NULL when the page list gave none."),
        ("position", "int", "Order of the article on its page (1 = first listed)."),
        ("kicker", "text", "引题: line above the title, or NULL."),
        ("title", "text", "Headline (标题)."),
        ("subtitle", "text", "副题: line below the title, or NULL."),
        ("author", "text", "Byline as printed (本报记者 …), or NULL."),
        ("author_role", "text", "Byline role(s): 本报记者, 新华社记者, 本报编辑部, 文; distinct roles in print order joined by 、 (本报记者、通讯员); NULL when none is printed or the row predates migration 9."),
        ("author_names", "text[]", "Names in the byline, in print order (本报记者 张三 李四 → [张三, 李四]); empty when none; NULL when the row predates migration 9."),
        ("body", "text", "Article text; paragraphs separated by newlines, no inserted spaces."),
        ("char_count", "int", "Characters in body (not bytes)."),
        ("url", "text", "Article page URL on the site's own host, or NULL for PDF-only articles."),
        ("pdf_sha256", "text", "sha256 of the page PDF in the raw zone the article was read from or matched to."),
        ("bbox", "double[]", "Article region on the PDF page: [x0, top, x1, bottom] in PDF points."),
        ("text_source", "text", "Where the text came from: 'html', 'pdf' or 'both' (HTML matched to a PDF region)."),
        ("pdf_html_similarity", "double", "Text similarity 0–1 between the HTML text and its matched PDF region; NULL if unmatched."),
        ("cluster_id", "text", "Duplicate cluster: copies, reprints and HTML/PDF twins share it."),
        ("is_canonical", "bool", "True for the one canonical member of its cluster (earliest appearance, most complete text, HTML preferred)."),
        ("cluster_relation", "text", "How this appearance relates to its cluster's canonical: 'canonical', 'identical' (same text, same page of the same issue), 'format_variant' (its HTML or PDF twin on that page) or 'reprint' (another issue, paper or page)."),
        ("parser_version", "text", "Version of the baokan parser that produced the row."),
    ),
)  # fmt: skip

ISSUES = Mart(
    "marts.issues",
    """SELECT i.site_id, p.publication, i.issue_date, i.pages_listed, i.pages_fetched,
       i.pages_parsed, i.articles, i.ads, i.problems, i.status, i.parser_version,
       pg.chars, pg.coverage, CAST(coalesce(ub.blocks, 0) AS BIGINT) AS unassigned_blocks
FROM core.issues i
JOIN core.publications p ON p.site_id = i.site_id
LEFT JOIN (SELECT site_id, issue_date, CAST(sum(chars) AS BIGINT) AS chars,
                  sum(chars * coverage) / nullif(sum(chars), 0) AS coverage
           FROM core.pages WHERE coverage IS NOT NULL GROUP BY site_id, issue_date) pg
       ON pg.site_id = i.site_id AND pg.issue_date = i.issue_date
LEFT JOIN (SELECT site_id, issue_date, count(*) AS blocks
           FROM core.unassigned_blocks GROUP BY site_id, issue_date) ub
       ON ub.site_id = i.site_id AND ub.issue_date = i.issue_date""",
    (
        ("site_id", "text", "Site profile id of the newspaper."),
        ("publication", "text", "Newspaper name."),
        ("issue_date", "date", "Issue date; one row per site and date that was ingested."),
        ("pages_listed", "int", "Pages (版) the issue's page list named."),
        ("pages_fetched", "int", "Pages whose index page was fetched."),
        ("pages_parsed", "int", "Pages whose index page and PDF were both parsed."),
        ("articles", "int", "Articles loaded for the issue."),
        ("ads", "int", "Ads and notices found on the issue's page PDFs."),
        ("problems", "int", "Bad inputs met (see core.problems for each one's URL and message)."),
        ("status", "text", "'complete', 'partial', 'missing' (no issue that day) or 'failed'."),
        ("parser_version", "text", "Parser version that produced the loaded rows."),
        ("chars", "bigint", "Characters on the issue's page PDFs (text layer or OCR); NULL without PDFs."),
        ("coverage", "double", "Share of those characters the parser placed in an article, ad, caption or furniture (1.0 = all)."),
        ("unassigned_blocks", "bigint", "Blocks of page text kept in core.unassigned_blocks: no role found, or a fragment no article took."),
    ),
)  # fmt: skip

REPRINTS = Mart(
    "marts.reprints",
    """WITH members AS (
    SELECT cluster_id, count(*) AS appearances, count(DISTINCT site_id) AS publications,
           count(DISTINCT site_id || '|' || CAST(issue_date AS VARCHAR)) AS issues,
           max(issue_date) AS last_issue_date
    FROM marts.articles WHERE cluster_id IS NOT NULL GROUP BY cluster_id)
SELECT m.cluster_id, c.title, c.article_id AS first_article_id, c.site_id AS first_site_id,
       c.publication AS first_publication, c.issue_date AS first_issue_date,
       c.page_label AS first_page_label, c.url AS first_url, m.appearances, m.issues,
       m.publications, m.last_issue_date
FROM members m JOIN marts.articles c ON c.cluster_id = m.cluster_id AND c.is_canonical
WHERE m.issues > 1 OR m.publications > 1""",
    (
        ("cluster_id", "text", "Duplicate cluster whose members span more than one issue or publication."),
        ("title", "text", "Title of the first appearance."),
        ("first_article_id", "text", "article_id of the first (canonical) appearance."),
        ("first_site_id", "text", "Site of the first appearance."),
        ("first_publication", "text", "Newspaper of the first appearance."),
        ("first_issue_date", "date", "Issue date of the first appearance."),
        ("first_page_label", "text", "Page label of the first appearance."),
        ("first_url", "text", "Article URL of the first appearance."),
        ("appearances", "bigint", "Article rows in the cluster (every appearance)."),
        ("issues", "bigint", "Distinct (site, issue date) the cluster appears in."),
        ("publications", "bigint", "Distinct sites the cluster appears in."),
        ("last_issue_date", "date", "Issue date of the latest appearance."),
    ),
)  # fmt: skip

ADS = Mart(
    "marts.ads",
    """SELECT d.ad_id, d.site_id, p.publication, d.issue_date, d.page_label, d.position, d.text,
       d.bbox, d.pdf_sha256, d.url, d.kind, d.cluster_id,
       count(*) OVER (PARTITION BY d.cluster_id) AS occurrences,
       min(d.issue_date) OVER (PARTITION BY d.cluster_id) AS first_issue_date,
       max(d.issue_date) OVER (PARTITION BY d.cluster_id) AS last_issue_date
FROM (
    -- core.ads.cluster_id is as of the ad's own load; loading an earlier issue later can merge
    -- clusters, and cluster_members always holds the current one
    SELECT a.ad_id, a.site_id, a.issue_date, a.page_label, a.position, a.text, a.bbox,
           a.pdf_sha256, a.url, a.kind, coalesce(m.cluster_id, a.cluster_id) AS cluster_id
    FROM core.ads a LEFT JOIN core.cluster_members m ON m.item_id = a.ad_id
) d JOIN core.publications p ON p.site_id = d.site_id""",
    (
        ("ad_id", "text", "Stable key of this ad appearance."),
        ("site_id", "text", "Site profile id of the newspaper."),
        ("publication", "text", "Newspaper name."),
        ("issue_date", "date", "Issue date of this appearance."),
        ("page_label", "text", "Page label the ad was printed on."),
        ("position", "int", "Order of the ad on its page."),
        ("text", "text", "Text of the ad or notice as read from the PDF."),
        ("bbox", "double[]", "Ad region on the PDF page: [x0, top, x1, bottom] in PDF points."),
        ("pdf_sha256", "text", "sha256 of the page PDF in the raw zone."),
        ("url", "text", "URL of the page (版面) the ad was printed on."),
        ("kind", "text", "'ad', or 'notice' for a framed 启事 / 声明 / 公告 (NULL for rows loaded before notices were told apart)."),
        ("cluster_id", "text", "Recurrence cluster: the same ad in other issues shares it."),
        ("occurrences", "bigint", "How many times this ad's cluster appears in the warehouse."),
        ("first_issue_date", "date", "First issue date the ad appeared."),
        ("last_issue_date", "date", "Latest issue date the ad appeared."),
    ),
)  # fmt: skip

# In dependency order: a mart may read the marts before it.
MARTS = (ARTICLES, ISSUES, REPRINTS, ADS)
