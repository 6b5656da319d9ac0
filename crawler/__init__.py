"""The Scrapy project: seeds, discovery, fetching and extraction of articles."""
