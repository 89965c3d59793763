"""Classic Founder e-papers (html/YYYY-MM/DD/node_N.htm, content_N.htm?div=-1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from spiders.families.base import FounderSpider
from spiders.items import FetchedItem


class FounderClassicSpider(FounderSpider):
    """html/… page index pages whose node ids are CMS ids; labels come from the page list."""

    name = "founder_classic"
    # scrapy check fetches a 江西日报 mirror (tests/replica.py build_jxrb) from
    # BAOKAN_CHECK_BASE_URL.
    check_site = "jxrb"
    check_dates = "2017-10-09"

    def parse_layout(self, response: Response) -> Iterator[Any]:
        """Store the page index page and follow its pages, PDF and articles.

        @fetch html/2017-10/09/node_187.htm layout 2017-10-09
        @row layout 200 A01
        @follows layout 11
        @follows pdf 1
        @follows article 5
        """
        return super().parse_layout(response)

    def parse_leaf(self, response: Response) -> Iterator[FetchedItem]:
        """Store a PDF as fetched.

        @fetch page/186/2017-10-09/A01/51281507497937890.pdf pdf 2017-10-09
        @row pdf 200
        """
        return super().parse_leaf(response)

    def parse_article(self, response: Response) -> Iterator[FetchedItem]:
        """Store an article page as fetched.

        @fetch html/2017-10/09/content_401862.htm article 2017-10-09
        @row article 200
        @parses
        """
        return super().parse_article(response)
