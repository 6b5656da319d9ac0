"""Benchmark: extraction quality on the Vietnamese gold corpus and on the public benchmark.

    .venv/bin/python bench/extraction.py                      # gold corpus + public benchmark
    .venv/bin/python bench/extraction.py --no-benchmark       # gold corpus only
    .venv/bin/python bench/extraction.py --benchmark DIR      # the benchmark's html/ and ground-truth.json

The gold corpus is ``tests/fixtures/extraction/<template>/<page>.html`` with hand-written
``.json`` gold files; the script prints the accuracy of each field (exact match), the
text scores (4-token shingles: mean precision, mean recall, F1 of the means, and the mean
of per-page F1), pages whose text holds a related title, caption or comment, and every
page that misses a field.

The public benchmark (scrapinghub/article-extraction-benchmark: 181 mostly English news
pages with gold bodies) is read where it lies, never copied into this repository; it is
scored with the same metric for provnews' ``extract_article`` (a page it judges not to be
an article counts as empty text), for provnews' text whatever the verdict, and for plain
``trafilatura.extract(html, include_comments=False)`` of the installed release, as the
benchmark runs it. Get the data with ``git clone
https://github.com/scrapinghub/article-extraction-benchmark`` (``html/``, ``ground-truth.json``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import sys
import time
from collections import Counter
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

import trafilatura  # noqa: E402

from bench.scoring import FIELDS, CorpusScore, load_gold, means, score_corpus, shingle_counts  # noqa: E402
from crawler.extract.article import EXTRACTOR_VERSION, extract_article, read_page  # noqa: E402

logger = logging.getLogger("bench")
CORPUS = PROJECT / "tests" / "fixtures" / "extraction"
BENCHMARK = Path(os.environ.get("PROVNEWS_BENCHMARK", "/work/shared/benchmarks/article-extraction"))


def report_corpus(folder: Path) -> CorpusScore:
    pages = load_gold(folder)
    started = time.perf_counter()
    score = score_corpus(pages, extract_article)
    seconds = time.perf_counter() - started
    templates = Counter(p.template for p in pages)
    print(f"Gold corpus: {len(pages)} pages, {len(templates)} templates, extractor {EXTRACTOR_VERSION}")
    print("  " + ", ".join(f"{name} {count}" for name, count in sorted(templates.items())))
    print(f"  {'field':<16}{'accuracy':>10}")
    for name in FIELDS:
        right = sum(s.fields[name] for s in score.pages)
        print(f"  {name:<16}{score.accuracy[name]:>9.1%}  ({right}/{len(pages)})")
    print(f"  text: mean per-page F1 {score.mean_text_f1:.3f}; precision {score.precision:.3f}, ", end="")
    print(f"recall {score.recall:.3f}, F1 {score.f1:.3f} (benchmark metric)")
    print(f"  pages whose text holds a related title, caption or comment: {len(score.leaking)}")
    for page in score.pages:
        wrong = [name for name, ok in page.fields.items() if not ok]
        if wrong or page.text_f1 < 1 or page.leaks:
            print(f"    {page.page.template}/{page.page.name}: text F1 {page.text_f1:.3f}; wrong: {', '.join(wrong)}")
    print(f"  {seconds / max(1, len(pages)) * 1000:.0f} ms per page")
    return score


def report_benchmark(folder: Path) -> None:
    truth_path = folder / "ground-truth.json"
    if not truth_path.exists():
        print(
            f"\nPublic benchmark: no {truth_path}; clone scrapinghub/article-extraction-benchmark and pass --benchmark"
        )
        return
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    runs: dict[str, list[tuple[float, float, float]]] = {"provnews": [], "provnews-text": [], "trafilatura": []}
    rejected: Counter[str] = Counter()
    timing = Counter[str]()
    for key, item in sorted(truth.items()):
        raw = gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes())
        gold = item.get("articleBody", "")
        url = item.get("url") or f"https://example.invalid/{key}"
        started = time.perf_counter()
        reading = read_page(raw, url)
        timing["provnews"] += time.perf_counter() - started
        text = reading.article.text if reading.article else ""
        if reading.reason:
            rejected[reading.reason] += 1
        runs["provnews"].append(shingle_counts(gold, "" if reading.reason else text))
        runs["provnews-text"].append(shingle_counts(gold, text))
        started = time.perf_counter()
        baseline = trafilatura.extract(raw.decode("utf-8"), include_comments=False) or ""
        timing["trafilatura"] += time.perf_counter() - started
        runs["trafilatura"].append(shingle_counts(gold, baseline))
    print(f"\nPublic benchmark: {folder} ({len(truth)} pages, text only, same metric)")
    labels = {
        "provnews": "provnews extract_article",
        "provnews-text": "provnews text, any verdict",
        "trafilatura": f"trafilatura {trafilatura.__version__} extract",
    }
    for name, counts in runs.items():
        precision, recall, f1 = means(counts)
        print(f"  {labels[name]:<30} precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}")
    verdicts = ", ".join(f"{count} {reason}" for reason, count in rejected.most_common()) or "none"
    print(f"  pages provnews judged not an article: {sum(rejected.values())} ({verdicts})")
    per_page = {k: v / len(truth) * 1000 for k, v in timing.items()}
    print(f"  {per_page['provnews']:.0f} ms per page (provnews), {per_page['trafilatura']:.0f} ms (trafilatura)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the gold corpus folder")
    parser.add_argument("--benchmark", type=Path, default=BENCHMARK, help="the public benchmark's folder")
    parser.add_argument("--no-benchmark", action="store_true", help="score the gold corpus only")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    report_corpus(args.corpus)
    if not args.no_benchmark:
        report_benchmark(args.benchmark)


if __name__ == "__main__":
    main()
