"""Deduplication: every article and ad gets a cluster; copies are linked, never dropped."""

from __future__ import annotations

import hashlib

from baokan.models import IssueRecord
from parsers.text import fold_for_match


def match_hash(text: str) -> str:
    """sha256 of the match-folded text: equal for exact copies whatever their punctuation width."""
    return hashlib.sha256(fold_for_match(text).encode("utf-8")).hexdigest()


def dedup_issue(issue: IssueRecord) -> IssueRecord:
    """Assign match hashes and cluster ids; exact copies across all history share a cluster.

    The cluster id is derived from content, so an issue is deduplicated against every other
    issue without reading them; which member is canonical is decided in the warehouse.
    """
    for article in issue.articles:
        article.match_hash = match_hash(f"{article.title}\n{article.body}")
        article.cluster_id = "a" + article.match_hash[:19]
    for ad in issue.ads:
        ad.match_hash = match_hash(ad.text)
        ad.cluster_id = "d" + ad.match_hash[:19]
    return issue
