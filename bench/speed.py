"""Extraction speed: our extraction step vs bare trafilatura, same pages, same process.

Ours is ``core.extract.assemble.assemble`` (decode, trafilatura text + metadata, language, word
count, SimHash) as the pipeline calls it, with the raw bytes' SHA-256 already taken by the
step that stores them; bare is ``trafilatura.extract(body, include_comments=False)`` on the
same bytes. Both are warmed up first, then timed page by page, interleaved, alternating which
goes first, so machine noise hits both alike. A second pass times our stages one by one.

Run: ``python -m bench.speed [--subset] [--rounds N]``.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.dataset import Page, locate
from bench.machine import command, describe

logger = logging.getLogger(__name__)
OUT = Path(__file__).resolve().parent / "out"
WARM_UP_PAGES = 20


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..1) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def describe_times(seconds: list[float], cpu_seconds: float) -> dict[str, float]:
    """Throughput and per-page latency figures for per-page wall times."""
    total = sum(seconds)
    return {
        "pages": len(seconds),
        "total_s": total,
        "pages_per_s": len(seconds) / total if total else 0.0,
        "median_ms": statistics.median(seconds) * 1000 if seconds else 0.0,
        "p95_ms": percentile(seconds, 0.95) * 1000,
        "mean_ms": total / len(seconds) * 1000 if seconds else 0.0,
        "cpu_ms_per_page": cpu_seconds / len(seconds) * 1000 if seconds else 0.0,
    }


def _timed(work: Callable[[], object]) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def _stage_breakdown(pages: list[Page]) -> dict[str, float]:
    """Mean milliseconds per page of each of our stages, run one by one."""
    from core.extract.article import extract_article
    from core.extract.charset import decode_html
    from core.extract.language import detect_language
    from core.fingerprint import fingerprint

    totals = {"decode": 0.0, "extract+metadata": 0.0, "language": 0.0, "words+simhash": 0.0}
    for page in pages:
        start = time.perf_counter()
        decoded = decode_html(page.body)
        mark = time.perf_counter()
        totals["decode"] += mark - start
        extraction = extract_article(decoded.text, page.url, decoded.utf8)
        start, mark = mark, time.perf_counter()
        totals["extract+metadata"] += mark - start
        if extraction is None:
            continue
        detect_language(extraction.text, extraction.declared_language)
        start, mark = mark, time.perf_counter()
        totals["language"] += mark - start
        fingerprint(extraction.text)  # counts the words on the way, as assemble does
        totals["words+simhash"] += time.perf_counter() - mark
    return {stage: seconds / len(pages) * 1000 for stage, seconds in totals.items()}


def run(pages: list[Page], rounds: int = 1) -> dict[str, Any]:
    """Time ours and bare trafilatura on ``pages``; returns the result document."""
    import trafilatura

    from core.extract.assemble import assemble, sha256_hex
    from core.extract.language import warm_up
    from core.ports import PageInput

    start = time.perf_counter()
    warm_up()
    language_model_load_s = time.perf_counter() - start

    # As in the pipeline, the raw bytes' hash comes from the step that stores them (it decides
    # whether the page changed at all), before extraction: outside both timings.
    inputs = [
        PageInput(body=p.body, url=p.url, article_id=p.file_id, content_sha256=sha256_hex(p.body))
        for p in pages
    ]

    def ours(i: int) -> Callable[[], object]:
        return lambda: assemble(inputs[i])

    def bare(i: int) -> Callable[[], object]:
        return lambda: trafilatura.extract(pages[i].body, include_comments=False)

    for i in range(min(WARM_UP_PAGES, len(pages))):
        ours(i)()
        bare(i)()
    wall: dict[str, list[float]] = {"ours": [], "trafilatura": []}
    cpu = {"ours": 0.0, "trafilatura": 0.0}
    for round_number in range(rounds):
        for i in range(len(pages)):
            order = [("ours", ours(i)), ("trafilatura", bare(i))]
            if (i + round_number) % 2:
                order.reverse()
            for name, work in order:
                seconds, cpu_seconds = _timed(work)
                wall[name].append(seconds)
                cpu[name] += cpu_seconds
    results = {name: describe_times(wall[name], cpu[name]) for name in wall}
    per_page_ratio = [o / b for o, b in zip(wall["ours"], wall["trafilatura"], strict=True) if b]
    return {
        "machine": describe(),
        "pages": len(pages),
        "rounds": rounds,
        "results": results,
        "ratio_total": results["ours"]["total_s"] / results["trafilatura"]["total_s"],
        "ratio_median_page": statistics.median(per_page_ratio),
        "language_model_load_s": language_model_load_s,
        "ours_stages_ms": _stage_breakdown(pages),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Command line entry point; writes ``bench/out/speed.json``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subset", action="store_true", help="use the repo's subset only")
    parser.add_argument("--rounds", type=int, default=1, help="passes over the pages")
    args = parser.parse_args(argv)
    dataset = locate(prefer_full=not args.subset)
    result = run(list(dataset.pages()), rounds=args.rounds)
    result["command"] = command("bench.speed", argv)
    result["dataset"] = {"name": dataset.name, "root": str(dataset.root)}
    OUT.mkdir(exist_ok=True)
    (OUT / "speed.json").write_text(json.dumps(result, indent=1) + "\n")
    for name, numbers in result["results"].items():
        logger.info("%-12s %s", name, {k: round(v, 2) for k, v in numbers.items()})
    logger.info(
        "ratio ours/trafilatura: %.3f (median page %.3f)",
        result["ratio_total"],
        result["ratio_median_page"],
    )
    logger.info(
        "our stages (ms/page): %s", {k: round(v, 2) for k, v in result["ours_stages_ms"].items()}
    )
    return result


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    main()
