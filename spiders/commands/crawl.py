"""`scrapy crawl` that refuses bad -a arguments in one line (exit 2) instead of a traceback."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl

from spiders.args import SpiderArgumentError


class Command(ScrapyCrawl):
    """Scrapy's crawl command; a spider with check_arguments has them checked first."""

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        """Check the spider's arguments, then crawl as Scrapy does."""
        if len(args) == 1 and self.crawler_process is not None:
            try:
                spidercls = self.crawler_process.spider_loader.load(args[0])
            except KeyError:
                spidercls = None  # Scrapy reports the unknown spider itself
            check = getattr(spidercls, "check_arguments", None)
            if check is not None:
                try:
                    check(opts.spargs)
                except SpiderArgumentError as exc:
                    print(f"scrapy crawl {args[0]}: bad argument {exc}", file=sys.stderr)
                    self.exitcode = 2
                    return
        super().run(args, opts)
