"""``article-ingest extract DIR`` as a user runs it, whole process, vs one bare trafilatura process.

The folder holds ~400 WCXB article pages (``.html.gz``). Timed, each as a fresh process with
its output to ``/dev/null``, start-up included:

- ``default``: ``article-ingest extract DIR`` (one worker process per core);
- ``jobs1``: ``article-ingest extract --jobs 1 DIR`` (in the command's own process);
- ``one_worker``: the same files through one worker process, as the command runs its workers
  (what ``--jobs 1`` could be instead: kept to show which is faster);
- ``trafilatura``: one ``python -c`` process that reads each file and calls
  ``trafilatura.extract(body, include_comments=False)``.

The runs are interleaved, round after round, so a machine shared with other work slows them
alike; the report gives each one's median and its ratio to ``trafilatura``'s.

Run: ``python -m bench.extract_cli [--rounds N] [--pages N]``.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.dataset import locate
from bench.machine import command, describe

logger = logging.getLogger(__name__)
OUT = Path(__file__).resolve().parent / "out"
BIN = Path(sys.executable).parent

BARE = """
import gzip, sys
from pathlib import Path
import trafilatura
for path in sorted(Path(sys.argv[1]).glob("*.html.gz")):
    text = trafilatura.extract(gzip.decompress(path.read_bytes()), include_comments=False)
    sys.stdout.write((text or "") + "\\n")
"""

ONE_WORKER = """
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from core.extraction_pool import ExtractionPool, PoolLimits
from article_ingest.offline import expand_paths, extract_line
if __name__ == "__main__":
    pool = ExtractionPool(PoolLimits(size=1, spare=0))
    with ThreadPoolExecutor(2) as threads:
        for _, line in threads.map(
            lambda path: pool.call(extract_line, path, None, None),
            expand_paths([Path(sys.argv[1])]),
        ):
            sys.stdout.write(line + "\\n")
    pool.close()
"""


def commands(folder: Path) -> dict[str, list[str]]:
    """The command line of each contender."""
    cli = str(BIN / "article-ingest")
    return {
        "default": [cli, "extract", str(folder)],
        "jobs1": [cli, "extract", "--jobs", "1", str(folder)],
        "one_worker": [sys.executable, "-c", ONE_WORKER, str(folder)],
        "trafilatura": [sys.executable, "-c", BARE, str(folder)],
    }


def _time(argv: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: some page held no article
        raise RuntimeError(f"{argv[:3]} exited {done.returncode}: {done.stderr[-500:]!r}")
    return elapsed


def run(pages: int, rounds: int) -> dict[str, Any]:
    """Interleaved timings of every contender on the first ``pages`` pages."""
    dataset = locate()
    sources = sorted((dataset.root / "html").glob("*.html.gz"))[:pages]
    with tempfile.TemporaryDirectory(prefix="bench-extract-") as tmp:
        folder = Path(tmp)
        for source in sources:
            (folder / source.name).symlink_to(source)
        contenders = commands(folder)
        times: dict[str, list[float]] = {name: [] for name in contenders}
        for round_number in range(rounds):
            names = list(contenders)
            if round_number % 2:
                names.reverse()
            for name in names:
                times[name].append(_time(contenders[name]))
                logger.info("round %d %s %.2f s", round_number, name, times[name][-1])
    medians = {name: statistics.median(values) for name, values in times.items()}
    base = medians["trafilatura"]
    return {
        "dataset": {"name": dataset.name, "pages": len(sources)},
        "rounds": rounds,
        "wall_s": times,
        "median_s": medians,
        "ratio_to_trafilatura": {name: value / base for name, value in medians.items()},
        "targets": {"default": 0.65, "jobs1": 1.10},
        "machine": describe(),
        "command": command("bench.extract_cli"),
    }


def main(argv: list[str] | None = None) -> int:
    """Measure and write ``bench/out/extract_cli.json``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pages", type=int, default=400)
    args = parser.parse_args(argv)
    result = run(args.pages, args.rounds)
    OUT.mkdir(exist_ok=True)
    (OUT / "extract_cli.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result["ratio_to_trafilatura"], indent=2))
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    raise SystemExit(main())
