"""Discovery's parser at the sitemap protocol's limits (issue 14): one sitemap of 50,000 URLs,
plain and gzipped, and a gzip bomb inflating to 1 GB (refused at the 50 MB bound).

No network: the documents are built in memory and handed to ``core.discovery.parse``.

Run: ``.venv/bin/python -m bench.discovery_parse [--entries N] [--repeat N]``.
Writes ``bench/out/discovery_parse.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import time
from pathlib import Path
from typing import Any

from core.discovery.errors import DocumentRejected
from core.discovery.parse import MAX_ENTRIES, parse_document

OUT = Path(__file__).with_name("out") / "discovery_parse.json"
MAX_BYTES = 50_000_000
BOMB_BYTES = 1_000_000_000


def sitemap(entries: int) -> bytes:
    """A sitemap of ``entries`` URLs with a ``lastmod`` each."""
    urls = "".join(
        f"<url><loc>https://news.example.com/2024/06/{n:05d}/a-fairly-long-article-slug</loc>"
        "<lastmod>2024-06-01T10:00:00+00:00</lastmod></url>"
        for n in range(entries)
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>"
        f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{urls}</urlset>"
    ).encode()


def best_parse_s(body: bytes, repeat: int) -> tuple[float, int]:
    """The fastest of ``repeat`` parses, and the entries read."""
    best, count = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        document = parse_document(body, "https://news.example.com/", max_bytes=MAX_BYTES)
        best = min(best, time.perf_counter() - start)
        count = len(document.entries)
    return best, count


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=MAX_ENTRIES)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    xml = sitemap(args.entries)
    packed = gzip.compress(xml)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    plain_s, plain_n = best_parse_s(xml, args.repeat)
    gzip_s, gzip_n = best_parse_s(packed, args.repeat)
    rss_growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    bomb = gzip.compress(b"<urlset>" + b" " * BOMB_BYTES, compresslevel=9)
    start = time.perf_counter()
    try:
        parse_document(bomb, "https://news.example.com/", max_bytes=MAX_BYTES)
        bomb_code = "accepted"
    except DocumentRejected as rejected:
        bomb_code = rejected.code
    bomb_s = time.perf_counter() - start
    result = {
        "entries": args.entries,
        "plain": {"bytes": len(xml), "entries_read": plain_n, "best_s": round(plain_s, 3)},
        "gzip": {"bytes": len(packed), "entries_read": gzip_n, "best_s": round(gzip_s, 3)},
        "peak_rss_growth_mb": round(rss_growth_mb, 1),
        "bomb": {"wire_bytes": len(bomb), "outcome": bomb_code, "seconds": round(bomb_s, 3)},
    }
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
