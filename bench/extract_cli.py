"""``article-ingest extract DIR`` as a user runs it, whole process, vs one bare trafilatura process.

The folder holds ~400 WCXB article pages (``.html.gz``). Timed, each as a fresh process with
its output to ``/dev/null``, start-up included:

- ``default``: ``article-ingest extract DIR`` (one worker process per core);
- ``jobs1``: ``article-ingest extract --jobs 1 DIR`` (one worker process);
- ``in_process``: the same files extracted in one process, without a worker (what
  ``--jobs 1`` did before: kept to show what the worker costs or saves);
- ``trafilatura``: one ``python -c`` process that reads each file and calls
  ``trafilatura.extract(body, include_comments=False)``.

Each command is timed twice over (``bench.proctree``): its wall time, until it exits (and
until the last process it started exits), and its CPU time, user + system of its whole
process tree (the fork server and the workers included).
On a machine shared with other work the wall time swings by ±10% from one run to the next
while the CPU time barely moves, so a reader can tell noise from cost. The runs are
interleaved, the order rotated each round so each command takes each place in turn, after one
untimed run of each on one page (which also leaves the language model's decompressed file in
its cache, ``core.extract.language_model``, as any earlier run on the machine would); the
report gives each command's median, lowest and highest time, and its ratio to ``trafilatura``
per round (each run over the same round's trafilatura run) with their median and spread.

Run: ``python -m bench.extract_cli [--rounds N] [--pages N]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import proctree
from bench.dataset import locate
from bench.machine import command, describe
from bench.proctree import Timed

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

IN_PROCESS = """
import sys
from pathlib import Path
from article_ingest.offline import expand_paths, extract_output
for path in expand_paths([Path(sys.argv[1])]):
    sys.stdout.write(extract_output(path, None, None)[1] + "\\n")
"""


def commands(folder: Path) -> dict[str, list[str]]:
    """The command line of each contender."""
    cli = str(BIN / "article-ingest")
    return {
        "default": [cli, "extract", str(folder)],
        "jobs1": [cli, "extract", "--jobs", "1", str(folder)],
        "in_process": [sys.executable, "-c", IN_PROCESS, str(folder)],
        "trafilatura": [sys.executable, "-c", BARE, str(folder)],
    }


def _once(argv: list[str]) -> Timed:
    timed = proctree.run(argv)
    if timed.returncode not in (0, 1):  # 1: some page held no article
        raise RuntimeError(f"{argv[:3]} exited {timed.returncode}: {timed.stderr[-500:]!r}")
    return timed


def order(names: list[str], round_number: int) -> list[str]:
    """The contenders' order in one round: rotated by one each round, so each takes each
    place in turn (the first command of a round and the one after the heaviest are not
    always the same)."""
    shift = round_number % len(names)
    return names[shift:] + names[:shift]


def spread(values: list[float]) -> dict[str, float]:
    """Median, lowest and highest of ``values``."""
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
    }


def summarise(runs: dict[str, list[Timed]], base: str = "trafilatura") -> dict[str, Any]:
    """Each contender's wall and CPU times and its ratios to ``base``: a ratio per round (each
    run over the same round's ``base`` run, interleaved), their median and spread."""
    summary: dict[str, Any] = {}
    for name, timed in runs.items():
        wall = [t.wall_s for t in timed]
        tree = [t.tree_wall_s for t in timed]
        cpu = [t.cpu_s for t in timed]
        wall_ratios = [t.wall_s / b.wall_s for t, b in zip(timed, runs[base], strict=True)]
        cpu_ratios = [t.cpu_s / b.cpu_s for t, b in zip(timed, runs[base], strict=True)]
        summary[name] = {
            "wall_s": wall,
            "cpu_s": cpu,
            "tree_wall_s": tree,
            "wall": spread(wall),
            "tree_wall": spread(tree),
            "cpu": spread(cpu),
            "wall_ratio": spread(wall_ratios),
            "cpu_ratio": spread(cpu_ratios),
        }
    return summary


def _warm_up(contenders: dict[str, list[str]], folder: Path, sources: list[Path]) -> None:
    """Read every page and run each command once on one page (file cache, bytecode)."""
    for source in sources:
        source.read_bytes()
    with tempfile.TemporaryDirectory(prefix="bench-extract-one-") as tmp:
        one = Path(tmp)
        (one / sources[0].name).symlink_to(sources[0])
        for argv in contenders.values():
            _once([str(one) if arg == str(folder) else arg for arg in argv])


def bytecode() -> dict[str, bool]:
    """Whether the commands start from compiled modules: trafilatura's bytecode is there, or
    may be written (without it every process compiles its modules again at each start, our
    command's fork server more of them than the bare trafilatura process)."""
    spec = importlib.util.find_spec("trafilatura")
    origin = spec.origin if spec is not None else None
    compiled = origin is not None and Path(importlib.util.cache_from_source(origin)).is_file()
    return {
        "trafilatura_compiled": compiled,
        "writes_bytecode": not os.environ.get("PYTHONDONTWRITEBYTECODE"),
    }


def run(pages: int, rounds: int) -> dict[str, Any]:
    """Interleaved timings of every contender on the first ``pages`` pages."""
    dataset = locate()
    sources = sorted((dataset.root / "html").glob("*.html.gz"))[:pages]
    with tempfile.TemporaryDirectory(prefix="bench-extract-") as tmp:
        folder = Path(tmp)
        for source in sources:
            (folder / source.name).symlink_to(source)
        contenders = commands(folder)
        _warm_up(contenders, folder, sources)
        runs: dict[str, list[Timed]] = {name: [] for name in contenders}
        for round_number in range(rounds):
            for name in order(list(contenders), round_number):
                timed = _once(contenders[name])
                runs[name].append(timed)
                logger.info(
                    "round %d %-11s wall %6.2f s  tree %6.2f s  cpu %6.2f s",
                    round_number,
                    name,
                    timed.wall_s,
                    timed.tree_wall_s,
                    timed.cpu_s,
                )
    summary = summarise(runs)
    return {
        "dataset": {"name": dataset.name, "pages": len(sources)},
        "rounds": rounds,
        "contenders": summary,
        "median_s": {name: s["wall"]["median"] for name, s in summary.items()},
        "ratio_to_trafilatura": {name: s["wall_ratio"]["median"] for name, s in summary.items()},
        "cpu_ratio_to_trafilatura": {name: s["cpu_ratio"]["median"] for name, s in summary.items()},
        "targets": {"default": 0.65, "jobs1": 1.10},
        "load_average": os.getloadavg(),
        "bytecode": bytecode(),
        "machine": describe(),
        "command": command("bench.extract_cli"),
    }


def main(argv: list[str] | None = None) -> int:
    """Measure and write ``bench/out/extract_cli.json``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--pages", type=int, default=400)
    args = parser.parse_args(argv)
    result = run(args.pages, args.rounds)
    OUT.mkdir(exist_ok=True)
    (OUT / "extract_cli.json").write_text(json.dumps(result, indent=2))
    print(f"bytecode: {result['bytecode']}")
    for name, summary in result["contenders"].items():
        wall, cpu = summary["wall_ratio"], summary["cpu_ratio"]
        print(
            f"{name:<12} wall {summary['wall']['median']:6.2f} s  ratio {wall['median']:.2f}"
            f" ({wall['min']:.2f}-{wall['max']:.2f})  cpu {summary['cpu']['median']:6.2f} s"
            f"  ratio {cpu['median']:.2f} ({cpu['min']:.2f}-{cpu['max']:.2f})"
        )
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    raise SystemExit(main())
