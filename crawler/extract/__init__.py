"""The extraction core: a page's bytes to an article record, or the reason it is none.

Pure functions of (bytes, url, what the link said): no Scrapy in here, so an archive can
be re-read from its stored pages (``provnews reextract``). :mod:`crawler.extract.article`
is its face (``extract_article``, ``read_page``); :mod:`crawler.extract.page` reads all a
crawl needs from one parse (links, canonical, feeds, the article). The Vietnamese rules
live beside them: ``encoding`` (bytes to NFC text), ``dates`` (day-first, ``+07:00``),
``metadata`` (titles, machine dates, the headline), ``boilerplate`` (what is not body
text), ``bylines`` (authors and sources), ``text`` (clean lines).
"""
