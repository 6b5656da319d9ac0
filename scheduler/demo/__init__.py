"""The demo, out of the production path: the offline mirror server (:mod:`scheduler.demo.mirror`)
and ``provnews demo`` (:mod:`scheduler.demo.run`), which serves it and crawls it.

Tests and benchmarks serve their fixture sites with :class:`scheduler.demo.mirror.MirrorServer`.
"""
