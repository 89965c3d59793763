"""Scrapy settings: polite by default; the raw-zone pipeline stores every response."""

from baokan import __version__

BOT_NAME = "baokan"
SPIDER_MODULES = ["spiders.families"]
NEWSPIDER_MODULE = "spiders.families"

USER_AGENT = f"baokan/{__version__} (newspaper archiver; +https://pypi.org/project/baokan/)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 10.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

ITEM_PIPELINES = {"spiders.pipelines.RawZonePipeline": 100}

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
