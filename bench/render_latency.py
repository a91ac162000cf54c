"""``GET /articles/{id}/text`` through ``article-ingest serve``, next to bare trafilatura.

The renderings (txt, markdown, html) re-extract the stored page and rebuild trafilatura's body
around the Article's own text (``core/extract/guided.py``). This measures what that costs a
reader of the API: ``article-ingest serve`` runs as a subprocess with its default extraction
pool on a fresh data directory; every ``--step``-th page of the shared WCXB pages (articles and
the other types) is served from 127.0.0.1 and POSTed synchronously; then each stored article's
text is read once per format, one request at a time, timed in wall time at the client (HTTP,
store read, decoding, the pool's extraction and the guided rendering included). The baseline
is bare ``trafilatura.extract(html, url=..., output_format=...)`` on the same pages in this
process (what a hand-rolled script spends per page; no HTTP, no store), and the guided share is
``core.extract.rendering.render`` in this process with and without the Article's text as the
guide (CPU time, the two alternating page by page, three rounds). One unmeasured request per
format warms the pool first, one unmeasured call each in-process part. Nothing leaves
127.0.0.1.

Run: ``python -m bench.render_latency [--step 15]``. Writes ``bench/out/render_latency.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.dataset import DataSet, locate
from bench.machine import command, describe
from bench.serve_hostile import Serve, Site, article_status, post_sync
from bench.speed import OUT, percentile
from core.extract.guided import guide_text

FORMATS = ("txt", "markdown", "html")
OTHER_TYPES = Path(__file__).resolve().parents[2] / "shared" / "bench" / "wcxb-dev-other-types"


def sample(step: int) -> list[tuple[str, bytes]]:
    """(name, html) of every ``step``-th page of the articles and, when present, the others."""
    sets = [locate()]
    if (OTHER_TYPES / "html").is_dir():
        sets.append(DataSet(OTHER_TYPES, "full"))
    pages: list[tuple[str, bytes]] = []
    for data in sets:
        for index, page in enumerate(data.pages()):
            if index % step == 0:
                pages.append((f"{data.root.name}-{page.file_id}", page.body))
    return pages


def timed_get(url: str) -> tuple[int, float]:
    """(status, wall seconds) of one GET, the body read."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
            status = int(response.status)
    except urllib.error.HTTPError as error:
        error.read()
        status = error.code
    return status, time.perf_counter() - started


def bare_seconds(pages: list[tuple[str, bytes, str]], output_format: str) -> list[float]:
    """Wall seconds of ``trafilatura.extract`` per page, in this process."""
    import trafilatura

    seconds = []
    trafilatura.extract(pages[0][1].decode("utf-8", "replace"), output_format=output_format)
    for _, body, url in pages:  # timed after a warm-up call (trafilatura loads lazily)
        started = time.perf_counter()
        trafilatura.extract(body.decode("utf-8", "replace"), url=url, output_format=output_format)
        seconds.append(time.perf_counter() - started)
    return seconds


def render_cpu(
    pages: list[tuple[str, bytes, str]], guides: list[str | None], rounds: int = 3
) -> tuple[list[float], list[float]]:
    """CPU seconds of our markdown rendering per page and round, in this process, without and
    with ``guides``: the two alternate page by page (the order swapped every page), so a
    shared machine's load falls on both alike."""
    from core.extract.rendering import render

    unguided: list[float] = []
    guided: list[float] = []
    render(pages[0][1].decode("utf-8", "replace"), None, "markdown", None, guides[0])
    for round_ in range(rounds):
        for index, ((_, body, url), guide) in enumerate(zip(pages, guides, strict=True)):
            html = body.decode("utf-8", "replace")
            runs = [(unguided, None), (guided, guide)]
            for spent, given in runs if (index + round_) % 2 else runs[::-1]:
                started = time.process_time()
                render(html, url, "markdown", None, given)
                spent.append(time.process_time() - started)
    return unguided, guided


def summary(seconds: list[float]) -> dict[str, float]:
    """Mean, median and 95th percentile in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "mean_ms": round(statistics.fmean(ms), 1),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(percentile(ms, 0.95), 1),
    }


def run(step: int) -> dict[str, Any]:
    """Seed, read every rendering, measure the baseline; the result."""
    pages = sample(step)
    stored: list[tuple[str, bytes, str]] = []  # (article id, html, url)
    guides: list[str | None] = []
    routes: dict[str, dict[str, Any]] = {}
    with Site() as site, tempfile.TemporaryDirectory(prefix="render-") as tmp:
        urls = {name: site.add(f"/{name}.html", body) for name, body in pages}
        with Serve(Path(tmp) / "data", site.port, {}) as serve:
            for name, body in pages:
                answer = post_sync(serve.base, urls[name])
                if answer.get("status") in ("extracted", "indexed"):
                    stored.append((str(answer["id"]), body, urls[name]))
                    article = article_status(serve.base, str(answer["id"])) or {}
                    guides.append(guide_text(article.get("title"), article.get("text")))
            for output_format in FORMATS:
                timed_get(f"{serve.base}/articles/{stored[0][0]}/text?format={output_format}")
                seconds, statuses = [], []
                for the_id, _, _ in stored:
                    status, spent = timed_get(
                        f"{serve.base}/articles/{the_id}/text?format={output_format}"
                    )
                    statuses.append(status)
                    seconds.append(spent)
                routes[output_format] = {
                    **summary(seconds),
                    "answered_200": statuses.count(200),
                    "other_status": sorted(set(statuses) - {200}),
                }
    bare = {f: summary(bare_seconds(stored, f)) for f in ("txt", "markdown")}
    unguided, guided = render_cpu(stored, guides)
    in_process = {"unguided": summary(unguided), "guided": summary(guided)}
    for output_format, numbers in routes.items():
        baseline = bare["markdown" if output_format != "txt" else "txt"]
        numbers["mean_vs_bare"] = round(numbers["mean_ms"] / baseline["mean_ms"], 2)
    return {
        "step": step,
        "pages_posted": len(pages),
        "articles_stored": len(stored),
        "get_text": routes,
        "bare_trafilatura_in_process": bare,
        "render_markdown_in_process": in_process,
        "load_average_1min": round(os.getloadavg()[0], 1),
        "machine": describe(),
        "command": command("bench.render_latency"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step", type=int, default=15, help="take every N-th page (default 15)")
    args = parser.parse_args(argv)
    result = run(args.step)
    OUT.mkdir(exist_ok=True)
    (OUT / "render_latency.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
