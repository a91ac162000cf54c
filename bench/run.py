"""``make bench``: every benchmark part in one run, then ``docs/benchmarks.md``.

Parts: extraction quality and speed (ours vs bare trafilatura), quality per page type and the
page-type classifier's confusion matrix (all WCXB development pages), the ``extract`` command's
whole-process time (vs one bare trafilatura process), fetch throughput (the
fetcher's own benchmark), end-to-end ingest throughput (ours vs trafilatura's command
line), cold start and memory, cost, an ordinary page through ``serve`` beside three hostile
ones, ``GET /articles/{id}/text`` through ``serve``. Each writes ``bench/out/NAME.json``;
a part that fails is logged and the report says it was not measured.

Run: ``python -m bench.run [--subset] [--skip NAME ...]``.
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger(__name__)
OUT = Path(__file__).resolve().parent / "out"
PARTS = (
    "quality",
    "pagetypes",
    "speed",
    "extract_cli",
    "fetch_throughput",
    "ingest_throughput",
    "coldstart",
    "cost",
    "serve_hostile",
    "render_latency",
)


def _arguments(name: str, subset: bool) -> list[str]:
    if name == "quality":
        return ["--subset"] if subset else []
    if name == "speed":  # three passes: one pass's ratio moved by ±0.01 from run to run
        return ["--rounds", "3"] + (["--subset"] if subset else [])
    if name == "cost":
        return ["--pages", "64"]  # two full search compactions
    return []


def _part(name: str, subset: bool) -> Callable[[], object]:
    """Each part in a Python process of its own: a timing part run after another one in the
    same process inherits its heap and garbage-collector state (the extraction-speed ratio
    came out 0.01 higher after the quality part than alone)."""
    command = [sys.executable, "-m", f"bench.{name}", *_arguments(name, subset)]

    def run() -> None:
        # a part that fails leaves no result behind, rather than an earlier run's
        (OUT / f"{name}.json").unlink(missing_ok=True)
        exit_code = subprocess.run(command, check=False).returncode
        if exit_code:
            raise RuntimeError(f"{' '.join(command)} exited with {exit_code}")

    return run


def main(argv: list[str] | None = None) -> int:
    """Run the parts, write the report; returns the number of failed parts."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subset", action="store_true", help="WCXB subset in the repo only")
    parser.add_argument("--skip", nargs="*", default=[], choices=PARTS, help="parts to skip")
    args = parser.parse_args(argv)
    failed = 0
    for name in PARTS:
        if name in args.skip:
            continue
        start = time.perf_counter()
        logger.info("== %s", name)
        try:
            _part(name, args.subset)()
        except Exception:
            failed += 1
            logger.exception("benchmark part %s failed", name)
        logger.info("== %s done in %.0f s", name, time.perf_counter() - start)
    from bench.report import write

    logger.info("wrote %s", write())
    return failed


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    raise SystemExit(main())
