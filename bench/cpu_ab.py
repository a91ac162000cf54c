"""Per-page CPU of two versions of the extraction code, old and new, on the same pages.

Each version runs in a long-lived process of its own (``PYTHONPATH`` pointing at its ``src``),
warmed up, its preloaded heap frozen as the fork server's is; the pages are handed to the two
alternately, one by one, the order swapped every page, so the load of a shared machine falls on
both alike. Each process times ``assemble`` of each page with ``time.process_time``. Pages: by
default all 1,497 shared pages (both folders); ``--articles N`` and ``--others-step N`` take
the first N articles and every N-th page of the other types.

At that scale: the parent lists the files without reading them (each worker reads and
decompresses its pages once, ~350 MB each), a page whose extraction raises anything is timed
and counted as an error in both versions (not a dead worker and a parse error in the parent),
and each round reports its progress.

Run: ``python -m bench.cpu_ab OLD_SRC [--new-src SRC] [--rounds N] [--articles N]
[--others-step N]``, e.g. with ``git worktree add /tmp/old main`` and ``OLD_SRC=/tmp/old/src``.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.dataset import REPO
from bench.extraction_digest import FOLDERS, SHARED

WARM_UP_PAGES = 20
PROGRESS_EVERY = 250
GROUPS = {FOLDERS[0]: "articles", FOLDERS[1]: "other types"}


def page_files(
    articles: int | None = None, others_step: int = 1, root: Path = SHARED
) -> list[tuple[str, Path]]:
    """(group, file) of the pages timed, in name order, none read: the first ``articles``
    articles (all: None) and every ``others_step``-th page of the other types."""
    chosen: list[tuple[str, Path]] = []
    for folder in FOLDERS:
        files = sorted((root / folder / "html").glob("*.html.gz"))
        if folder == FOLDERS[0]:
            files = files[:articles] if articles is not None else files
        else:
            files = files[::others_step]
        chosen += [(GROUPS[folder], path) for path in files]
    return chosen


def page_url(path: Path) -> str:
    """The page's URL from its ground truth, else a made-up one (as ``extraction_digest``)."""
    file_id = path.name.split(".")[0]
    truth = path.parent.parent / "ground-truth" / f"{file_id}.json"
    url = json.loads(truth.read_text("utf-8")).get("url") if truth.exists() else None
    return str(url or f"https://bench.example/{path.parent.parent.name}/{file_id}")


def worker(articles: int | None, others_step: int) -> None:
    """Read page numbers on stdin, answer each with the CPU seconds its extraction took and
    whether it raised (``seconds ok`` or ``seconds error``)."""
    from core.errors import ExtractionFailed
    from core.extract.assemble import assemble, sha256_hex
    from core.extract.language import warm_up
    from core.ports import PageInput

    warm_up()
    inputs = []
    for _, path in page_files(articles, others_step):
        body = gzip.decompress(path.read_bytes())
        inputs.append(
            PageInput(
                body=body, url=page_url(path), article_id="a", content_sha256=sha256_hex(body)
            )
        )

    def extract(index: int) -> str:
        try:
            assemble(inputs[index])
        except ExtractionFailed:
            return "ok"  # a page's answer, as None is
        except Exception:  # timed and reported: the comparison goes on
            return "error"
        return "ok"

    for index in range(min(WARM_UP_PAGES, len(inputs))):
        extract(index)
    gc.collect()
    gc.freeze()
    print(len(inputs), flush=True)
    for line in sys.stdin:
        start = time.process_time()
        outcome = extract(int(line))
        print(f"{time.process_time() - start} {outcome}", flush=True)


def _start(src: Path, pages: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bench.cpu_ab", "--worker", *pages],
        env=dict(os.environ, PYTHONPATH=f"{src}{os.pathsep}{REPO}"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )


def _ask(process: subprocess.Popen[str], index: int) -> tuple[float, bool]:
    """One page's CPU seconds in ``process`` and whether its extraction raised."""
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(f"{index}\n")
    process.stdin.flush()
    answer = process.stdout.readline().split()
    if len(answer) != 2:
        raise RuntimeError(f"a worker died on page {index} (exit status {process.poll()})")
    return float(answer[0]), answer[1] == "error"


def compare(
    old_src: Path,
    new_src: Path,
    rounds: int,
    articles: int | None = None,
    others_step: int = 1,
) -> dict[str, Any]:
    """Both versions over the workload, ``rounds`` times; CPU seconds and new/old ratios."""
    files = page_files(articles, others_step)
    groups = [group for group, _ in files]
    pages = ["--others-step", str(others_step)]
    if articles is not None:
        pages += ["--articles", str(articles)]
    processes = {name: _start(src, pages) for name, src in (("old", old_src), ("new", new_src))}
    for name, process in processes.items():
        assert process.stdout is not None
        ready = process.stdout.readline().strip()
        if ready != str(len(groups)):
            raise RuntimeError(f"the {name} version read {ready or 'no'} pages, not {len(groups)}")
    seconds: dict[str, dict[str, float]] = {"old": {}, "new": {}}
    errors = {"old": 0, "new": 0}
    ratios = []
    for round_number in range(rounds):
        spent = {"old": 0.0, "new": 0.0}
        started = time.monotonic()
        for index, group in enumerate(groups):
            order = ["old", "new"] if (index + round_number) % 2 == 0 else ["new", "old"]
            for name in order:
                cpu, failed = _ask(processes[name], index)
                spent[name] += cpu
                errors[name] += failed and round_number == 0
                seconds[name][group] = seconds[name].get(group, 0.0) + cpu
            if (index + 1) % PROGRESS_EVERY == 0:
                print(
                    f"  round {round_number}: {index + 1}/{len(groups)} pages,"
                    f" new/old so far {spent['new'] / spent['old']:.4f},"
                    f" {time.monotonic() - started:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
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
        "errors": errors,
        "seconds": {name: sum(by_group.values()) for name, by_group in seconds.items()},
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
    parser.add_argument("--articles", type=int, help="the first N articles only (default: all)")
    parser.add_argument("--others-step", type=int, default=1, help="every N-th other page")
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
