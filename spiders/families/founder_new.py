"""New-style Founder e-papers (pc/layout/YYYYMM/DD/node_XX.html)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from spiders.families.base import FounderSpider
from spiders.items import FetchedItem


class FounderNewSpider(FounderSpider):
    """pc/layout page index pages, pc/attachement PDFs, pc/content article pages."""

    name = "founder_new"
    # scrapy check fetches the bundled sample (baokan/sample/site) from BAOKAN_CHECK_BASE_URL.
    check_site = "sample"
    check_dates = "2025-12-29"

    def parse_layout(self, response: Response) -> Iterator[Any]:
        """Store the page index page and follow its pages, PDF and articles.

        @fetch pc/layout/202512/29/node_A1.html layout 2025-12-29
        @row layout 200 A1
        @follows layout 2
        @follows pdf 1
        @follows article 3
        """
        return super().parse_layout(response)

    def parse_leaf(self, response: Response) -> Iterator[FetchedItem]:
        """Store a PDF as fetched.

        @fetch pc/attachement/202512/29/71850891cfa2f45b1bc057c5b12403fe.pdf pdf 2025-12-29
        @row pdf 200
        """
        return super().parse_leaf(response)

    def parse_article(self, response: Response) -> Iterator[FetchedItem]:
        """Store an article page as fetched.

        @fetch pc/content/202512/29/content_1001.html article 2025-12-29
        @row article 200
        @parses
        """
        return super().parse_article(response)
