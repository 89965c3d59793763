"""Classic Founder e-papers (html/YYYY-MM/DD/node_N.htm, content_N.htm?div=-1)."""

from __future__ import annotations

from spiders.families.base import FounderSpider


class FounderClassicSpider(FounderSpider):
    """html/… page index pages whose node ids are CMS ids; labels come from the page list."""

    name = "founder_classic"
