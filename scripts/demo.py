"""`make demo`: ingest the sample pages through the real network path and show the result.

Serves tests/fixtures/pages from 127.0.0.1, runs `article-ingest ingest` on them (plus two URLs
that must fail: a missing page and the cloud metadata address), then `get` and `search`.
Loopback is refused by default; the demo admits it with ARTICLE_INGEST_ALLOW_PRIVATE_NETWORKS=1.
Run it as a module from the repository root (``python -m scripts.demo``; ``make demo`` does), so
it finds the page server in ``tests/support``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.support.page_server import PageServer

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "fixtures" / "pages"
DATA_DIR = ROOT / ".data" / "demo"
CLI = str(Path(sys.executable).with_name("article-ingest"))
EXPECTED_FAILURES = 2


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the installed CLI, as a user would."""
    return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, check=False)  # noqa: S603


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="emptied first")
    data_dir: Path = parser.parse_args(argv).data_dir
    shutil.rmtree(data_dir, ignore_errors=True)
    with PageServer(PAGES) as server:
        env = {
            **os.environ,
            "ARTICLE_INGEST_DATA_DIR": str(data_dir),
            "ARTICLE_INGEST_ALLOW_PRIVATE_NETWORKS": "1",
            "ARTICLE_INGEST_ALLOWED_PORTS": json.dumps([80, 443, server.port]),
            "ARTICLE_INGEST_PER_HOST_DELAY_S": "0.1",
        }
        urls = [server.url(p.name) for p in sorted(PAGES.glob("*.html"))]
        urls += [server.url("no-such-page.html"), "http://169.254.169.254/latest/meta-data/"]
        print(f"Serving {len(urls) - EXPECTED_FAILURES} sample pages on 127.0.0.1:{server.port}")
        print(f"$ article-ingest ingest --json <{len(urls)} URLs>   (data in {data_dir})\n")
        ingest = run("ingest", "--json", *urls, env=env)
    if not ingest.stdout.strip():
        print(ingest.stderr, file=sys.stderr)
        return 1
    articles = [json.loads(line) for line in ingest.stdout.splitlines()]
    # A URL refused before any fetch is ``rejected`` (no id); one whose fetch failed is ``failed``.
    failures = [a for a in articles if a["status"] in ("failed", "rejected")]
    for article in articles:
        if article in failures:
            continue
        got = json.loads(run("get", article["id"], env=env).stdout)
        excerpt = textwrap.shorten(got["text"], 160, placeholder=" …")
        print(f"● {got['title']}")
        print(
            f"  {got['status']} · language {got['language']} · date {got['date']} · "
            f"{got['word_count']} words · site {got['sitename']} ({got['hostname']})"
        )
        print(f"  {excerpt}")
        print(f"  raw HTML: {got['raw_html_uri']}")
        if got.get("duplicate_of"):
            print(f"  near-duplicate of {got['duplicate_of']}")
        print()
    print("Refused or failed, each with its own error (expected):")
    for article in failures:
        print(f"  ✗ {article['url']}: {article['error']['code']} — {article['error']['message']}")
    query = "Russie Gaza"
    hits = json.loads(run("search", query, env=env).stdout)
    print(f'\n$ article-ingest search "{query}"')
    for hit in hits[:3]:
        print(f"  {hit['score']:.3f}  {hit['title']}  [{hit['language']}] {hit['id']}")
    ok = len(articles) - len(failures)
    expected_ok = len(urls) - EXPECTED_FAILURES
    if ok != expected_ok or len(failures) != EXPECTED_FAILURES or not hits:
        print(
            f"\nDemo FAILED: {ok}/{expected_ok} pages ingested, {len(hits)} search hits",
            file=sys.stderr,
        )
        print(ingest.stderr, file=sys.stderr)
        return 1
    print(f"\nDemo OK: {ok} articles ingested and indexed, {len(failures)} bad URLs refused.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
