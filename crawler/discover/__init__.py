"""Every "which URL, and when" decision of a crawl.

- :mod:`crawler.discover.urls`: the one URL normaliser, ``canonical_url``, used for
  links, canonicals, ``og:url``, feed and sitemap entries, responses and redirect hops;
- :mod:`crawler.discover.identity`: what a host teaches about its URLs (case-insensitive
  paths, parameters that do not change the page), learned during crawls and kept;
- :mod:`crawler.discover.links`: what a link looks like before it is fetched (traps,
  facets, feeds);
- :mod:`crawler.discover.listings`: pagination found from the pager itself, the identity
  of a listing whatever its first page's URL, and how far each listing was walked;
- :mod:`crawler.discover.feeds`: sitemaps and RSS/Atom feeds read into entries;
- :mod:`crawler.discover.recheck`: when a known article is fetched again;
- :mod:`crawler.discover.frontier`: the decisions of one run over all of the above.
"""
