"""Query latency of the local (SQLite FTS5) search index on a synthetic corpus.

Articles are built from the WCXB ground-truth texts (``title`` + ``main_content``): article
``i`` takes the paragraphs of text ``i mod n`` interleaved with those of another text, so the
corpus has ``--articles`` distinct articles with real vocabulary and real lengths. Queries mix
what a search box gets: one rare word, two common words, a whole title, a phrase, a prefix,
and a two-word query with a language filter. Each is timed end to end through
``SqliteSearchIndex.search`` (parse, FTS5, snippets, hits), limit 10, after a warm-up, in wall
time and in CPU time of the querying thread (what the query costs without other processes
competing for the CPU).

Run: ``python -m bench.search_latency [--articles 10000] [--queries 2000] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.dataset import locate
from bench.speed import OUT, percentile
from core.adapters.local.search_index import SqliteSearchIndex
from core.adapters.local.sqlite import SqliteDatabase
from core.models import Article
from core.search.highlight import fold_token
from core.search.query import WORD

LANGUAGES = ("en", "fr", "de", "es")


def source_texts() -> list[tuple[str, str]]:
    """(title, text) of every WCXB article page with a ground-truth text."""
    texts = []
    for page in locate().pages():
        text = str(page.truth.get("main_content") or "")
        if text.strip():
            texts.append((str(page.truth.get("title") or ""), text))
    return texts


def synthetic(texts: list[tuple[str, str]], count: int, rng: random.Random) -> list[Article]:
    """``count`` articles mixing the paragraphs of two source texts each."""
    articles = []
    for i in range(count):
        title, text = texts[i % len(texts)]
        _, other = texts[rng.randrange(len(texts))]
        mine, theirs = text.split("\n"), other.split("\n")
        mixed = [p for pair in zip(mine, theirs, strict=False) for p in pair]
        mixed += mine[len(theirs) :]
        articles.append(
            Article(
                id=f"{i:08d}",
                url=f"https://bench.example/{i}",
                title=f"{title} ({i})",
                text="\n".join(mixed),
                language=LANGUAGES[i % len(LANGUAGES)],
                date=f"20{10 + i % 15}-0{1 + i % 9}-1{i % 10}",
            )
        )
    return articles


def queries(articles: list[Article], count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, query text) pairs, the kinds in equal shares."""
    counts: Counter[str] = Counter()
    for article in articles[:2000]:
        counts.update(fold_token(m.group()) for m in WORD.finditer(article.text or ""))
    common = [w for w, _ in counts.most_common(400)[50:] if w.isalpha()]
    rare = [w for w, n in counts.items() if n <= 5 and len(w) > 5 and w.isalpha()]
    out: list[tuple[str, str]] = []
    for i in range(count):
        article = articles[rng.randrange(len(articles))]
        words = [m.group() for m in WORD.finditer(article.text or "")]
        start = rng.randrange(max(1, len(words) - 3))
        kind = i % 6
        if kind == 0:
            out.append(("rare word", rng.choice(rare)))
        elif kind == 1:
            out.append(("two common words", f"{rng.choice(common)} {rng.choice(common)}"))
        elif kind == 2:
            out.append(("title", article.title or ""))
        elif kind == 3:
            out.append(("phrase", '"' + " ".join(words[start : start + 3]) + '"'))
        elif kind == 4:
            out.append(("prefix", rng.choice(common)[:4] + "*"))
        else:
            out.append(("two words, language filter", f"{rng.choice(common)} {rng.choice(rare)}"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--keep", type=Path, help="build the index in this directory and keep it")
    args = parser.parse_args()
    rng = random.Random(15)
    articles = synthetic(source_texts(), args.articles, rng)
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or Path(scratch)
        path = tmp / "search.sqlite3"
        built = path.exists()
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA journal_mode = WAL")
        index = SqliteSearchIndex(SqliteDatabase(path))
        started = time.perf_counter()
        for article in [] if built else articles:
            index.index(article)
        index_seconds = time.perf_counter() - started
        size_mb = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
        planned = queries(articles, args.queries, rng)
        for _, text in planned[:100]:  # warm-up: page cache and code paths
            index.search(text)
        timings: dict[str, list[float]] = {}
        cpu: list[float] = []
        hits = 0
        for kind, text in planned:
            language = "en" if kind.endswith("filter") else None
            began, began_cpu = time.perf_counter(), time.thread_time()
            found = index.search(text, language=language, limit=10)
            timings.setdefault(kind, []).append((time.perf_counter() - began) * 1000)
            cpu.append((time.thread_time() - began_cpu) * 1000)
            hits += bool(found)
    every = [ms for values in timings.values() for ms in values]
    result = {
        "articles": len(articles),
        "queries": len(every),
        "queries_with_hits": hits,
        "index_seconds": round(index_seconds, 1),
        "database_mb": round(size_mb, 1),
        "p50_ms": round(statistics.median(every), 2),
        "p95_ms": round(percentile(every, 0.95), 2),
        "p99_ms": round(percentile(every, 0.99), 2),
        "by_kind_p95_ms": {k: round(percentile(v, 0.95), 2) for k, v in timings.items()},
        # CPU time of the querying thread: the latency without waiting for a busy machine's CPU.
        "cpu_p50_ms": round(statistics.median(cpu), 2),
        "cpu_p95_ms": round(percentile(cpu, 0.95), 2),
        "load_average_1min": round(os.getloadavg()[0], 1),
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "search_latency.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
