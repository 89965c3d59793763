"""New-style Founder e-papers (pc/layout/YYYYMM/DD/node_XX.html)."""

from __future__ import annotations

from spiders.families.base import FounderSpider


class FounderNewSpider(FounderSpider):
    """pc/layout page index pages, pc/attachement PDFs, pc/content article pages."""

    name = "founder_new"
