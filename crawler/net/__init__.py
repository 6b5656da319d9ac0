"""The downloader side of a crawl: politeness (robots.txt, Retry-After), scope and
address safety, TLS. Scrapy downloader middlewares and the TLS context factory."""
