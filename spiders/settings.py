"""Scrapy settings: polite by default; the raw-zone pipeline stores every response."""

from baokan import __version__

BOT_NAME = "baokan"
SPIDER_MODULES = ["spiders.families"]
NEWSPIDER_MODULE = "spiders.families"
# Scrapy's commands, with `crawl` refusing bad -a arguments in one line (spiders/commands/).
COMMANDS_MODULE = "spiders.commands"

USER_AGENT = f"baokan/{__version__} (newspaper archiver; +https://pypi.org/project/baokan/)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Scrapy's default (100) starts 100 asyncio tasks per response to handle a callback's output;
# ours yields a few items and requests to a synchronous pipeline, so they gain nothing from
# it: 1 saves ~15% of the spider's CPU on a local crawl (README "Backfill at scale").
CONCURRENT_ITEMS = 1
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 10.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024  # a page PDF is a few MB; anything far larger is wrong
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Retry n waits RETRY_BACKOFF_BASE * 2**(n-1) seconds, at most RETRY_BACKOFF_MAX.
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 30.0
DOWNLOADER_MIDDLEWARES = {
    # Every request and redirect hop: only the site's (or the mirror's) host:port.
    "spiders.middlewares.HostPolicyMiddleware": 50,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "spiders.middlewares.BackoffRetryMiddleware": 550,
    "spiders.middlewares.BackoffDelayMiddleware": 950,
    # After decompression (590), before meta refresh (580) reads the text.
    "spiders.middlewares.SniffEncodingMiddleware": 585,
}
COOKIES_ENABLED = False
# No remote control of a running crawl: neither the telnet console nor Scrapy's remote
# control HTTP server (on by default since Scrapy 2.14) is loaded.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "scrapy.extensions.remote_control.RemoteControl": None,
}

# Caps on what one hostile page or issue can make the spider fetch. Hitting one records a
# "capped" row naming the page and the cap; what is within the cap is still fetched.
BAOKAN_MAX_MAP_AREAS = 2000  # image-map areas followed per page index page
BAOKAN_MAX_ARTICLES_PER_ISSUE = 3000
BAOKAN_MAX_PAGES_PER_ISSUE = 200  # page index pages
BAOKAN_MAX_PAGE_DEPTH = 50  # page-list hops from the issue's entry page

# scrapy check: the contracts on each family's callbacks (spiders/contracts.py).
SPIDER_CONTRACTS = {
    "spiders.contracts.FetchContract": 10,
    "spiders.contracts.RowContract": 20,
    "spiders.contracts.FollowsContract": 30,
    "spiders.contracts.ParsesContract": 40,
}

ITEM_PIPELINES = {"spiders.pipelines.RawZonePipeline": 100}

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
