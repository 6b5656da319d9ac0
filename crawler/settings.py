"""Scrapy settings for provnews: polite by default.

Government servers are small: one request at a time per host, a delay, AutoThrottle,
robots.txt obeyed, an honest User-Agent, bounded retries, redirects and sizes. A seed
may loosen or tighten its own politeness; ``provnews crawl --set NAME=VALUE`` overrides
any of these for one run.
"""

BOT_NAME = "provnews"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = "provnews/0.1 (archive of Vietnamese provincial news; polite crawler)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 3.0
RANDOMIZE_DOWNLOAD_DELAY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 3.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = True
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no listening port of any kind in a crawl
# ... and their code not even imported (aiohttp, tldextract: 0.15 s of every crawl's start)
EXTENSIONS = {"scrapy.extensions.telnet.TelnetConsole": None, "scrapy.extensions.remote_control.RemoteControl": None}
# Depth is counted by the spider (pagination does not deepen a crawl): see Seed.max_depth.
DEPTH_LIMIT = 0
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
CLOSESPIDER_PAGECOUNT = 2000
# What a callback yields goes through the pipeline one item at a time (the archive's writes
# are synchronous): Scrapy's default of 100 makes 100 asyncio tasks for every response, which
# cost 15% of the crawl process's CPU and held tens of MB of memory for nothing.
CONCURRENT_ITEMS = 1
# Responses waiting to be read (in the worker pool) per crawl: Scrapy's 5 MB each, times
# the sites crawled at once, was most of the crawl process's memory; 1 MB keeps the workers fed.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 1_000_000

RETRY_AFTER_MAX = 120.0
DOWNLOADER_MIDDLEWARES = {
    "crawler.net.safety.SafetyMiddleware": 40,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
    "crawler.net.redundant.RedundantRequestMiddleware": 90,
    "crawler.net.politeness.RobotsTxtMiddleware": 100,
    "crawler.net.politeness.RetryAfterMiddleware": 560,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.net.safety.CountedCompressionMiddleware": 590,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.net.safety.CountedRedirectMiddleware": 600,
    "crawler.net.tls.TLSErrorMiddleware": 950,
}
# Certificates are verified (chain and host, TLS 1.2+) unless a seed sets insecure_tls: see crawler/tls.py.
# Scrapy 2.19 calls this setting deprecated and warns once per crawl; it is still the one way to choose the
# context factory, and DOWNLOAD_VERIFY_CERTIFICATES keeps Scrapy's own verification on should it ever be ignored.
DOWNLOADER_CLIENTCONTEXTFACTORY = "crawler.net.tls.SitePolicy"
DOWNLOAD_VERIFY_CERTIFICATES = True
ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
# Pages are read (parsed, links, extraction) in worker processes, under a hard time limit:
# "auto" is one worker per core, 0 reads them in the crawl's own process (no time limit).
PROVNEWS_EXTRACT_WORKERS = "auto"
PROVNEWS_EXTRACT_TIMEOUT = 60.0
PROVNEWS_EXTRACT_WORKER_MAX_RSS_MB = 400
PROVNEWS_DB = "archive.db"
PROVNEWS_SEEDS = "seeds"

LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
