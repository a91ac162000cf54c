"""Per-page CPU of two versions of the extraction code, old and new, on the same pages.

Each version runs in a long-lived process of its own (``PYTHONPATH`` pointing at its ``src``),
warmed up, its preloaded heap frozen as the fork server's is; the pages are handed to the two
alternately, one by one, the order swapped every page, so the load of a shared machine falls on
both alike. Each process times ``assemble`` of each page with ``time.process_time``. Pages: the
first 400 shared WCXB articles and every third page of the other types.

Run: ``python -m bench.cpu_ab OLD_SRC [--new-src SRC] [--rounds N] [--articles N]
[--others-step N]``, e.g. with
``git worktree add /tmp/old main`` and ``OLD_SRC=/tmp/old/src``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.dataset import REPO
from bench.extraction_digest import FOLDERS, SHARED, shared_pages

ARTICLES = 400
OTHERS_STEP = 3
WARM_UP_PAGES = 20


def workload(
    articles: int = ARTICLES, others_step: int = OTHERS_STEP
) -> list[tuple[str, str, bytes]]:
    """(group, url, body) of the pages timed: the first ``articles`` articles, every
    ``others_step``-th page of the other types."""
    pages: list[tuple[str, str, bytes]] = []
    counts = dict.fromkeys(FOLDERS, 0)
    for name, url, body in shared_pages():
        folder = name.split("/")[0]
        index = counts[folder]
        counts[folder] += 1
        if folder == FOLDERS[0] and index < articles:
            pages.append(("articles", url or f"https://bench.example/{name}", body))
        elif folder == FOLDERS[1] and index % others_step == 0:
            pages.append(("other types", url or f"https://bench.example/{name}", body))
    return pages


def worker(articles: int, others_step: int) -> None:
    """Read page numbers on stdin, answer each with the CPU seconds its extraction took."""
    from core.errors import ExtractionFailed
    from core.extract.assemble import assemble, sha256_hex
    from core.extract.language import warm_up
    from core.ports import PageInput

    warm_up()
    inputs = [
        PageInput(body=body, url=url, article_id="a", content_sha256=sha256_hex(body))
        for _, url, body in workload(articles, others_step)
    ]

    def extract(index: int) -> None:
        with contextlib.suppress(ExtractionFailed):
            assemble(inputs[index])

    for index in range(min(WARM_UP_PAGES, len(inputs))):
        extract(index)
    gc.collect()
    gc.freeze()
    print(len(inputs), flush=True)
    for line in sys.stdin:
        start = time.process_time()
        extract(int(line))
        print(time.process_time() - start, flush=True)


def compare(
    old_src: Path,
    new_src: Path,
    rounds: int,
    articles: int = ARTICLES,
    others_step: int = OTHERS_STEP,
) -> dict[str, Any]:
    """Both versions over the workload, ``rounds`` times; CPU seconds and new/old ratios."""
    groups = [group for group, _, _ in workload(articles, others_step)]
    pages = ["--articles", str(articles), "--others-step", str(others_step)]
    processes = {
        name: subprocess.Popen(
            [sys.executable, "-m", "bench.cpu_ab", "--worker", *pages],
            env=dict(os.environ, PYTHONPATH=f"{src}{os.pathsep}{REPO}"),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        for name, src in (("old", old_src), ("new", new_src))
    }
    for process in processes.values():
        assert process.stdin is not None
        assert process.stdout is not None
        if int(process.stdout.readline()) != len(groups):
            raise RuntimeError("the two versions read different pages")
    seconds: dict[str, dict[str, float]] = {"old": {}, "new": {}}
    ratios = []
    for round_number in range(rounds):
        spent = {"old": 0.0, "new": 0.0}
        for index, group in enumerate(groups):
            order = ["old", "new"] if (index + round_number) % 2 == 0 else ["new", "old"]
            for name in order:
                stdin, stdout = processes[name].stdin, processes[name].stdout
                assert stdin is not None
                assert stdout is not None
                stdin.write(f"{index}\n")
                stdin.flush()
                cpu = float(stdout.readline())
                spent[name] += cpu
                seconds[name][group] = seconds[name].get(group, 0.0) + cpu
        ratios.append(spent["new"] / spent["old"])
        print(
            f"round {round_number}: old {spent['old']:.2f} s, new {spent['new']:.2f} s, "
            f"new/old {ratios[-1]:.4f}",
            flush=True,
        )
    for process in processes.values():
        assert process.stdin is not None
        process.stdin.close()
        process.wait()
    return {
        "pages": len(groups),
        "rounds": rounds,
        "ratio_per_round": ratios,
        "ratio_median": statistics.median(ratios),
        "ratio_by_group": {g: seconds["new"][g] / seconds["old"][g] for g in seconds["old"]},
        "load_average": os.getloadavg(),
    }


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; prints the result as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("old_src", type=Path, nargs="?", help="the old version's src folder")
    parser.add_argument("--new-src", type=Path, default=REPO / "src")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--articles", type=int, default=ARTICLES)
    parser.add_argument("--others-step", type=int, default=OTHERS_STEP)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.articles, args.others_step)
        return 0
    if args.old_src is None or not (SHARED / FOLDERS[0] / "html").is_dir():
        parser.error("give the old version's src folder; the shared pages must be present")
    result = compare(args.old_src, args.new_src, args.rounds, args.articles, args.others_step)
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
