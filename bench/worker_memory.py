"""Memory of one extraction worker: resident set after start and at its peak over the pages.

One worker (``core.extraction_pool``) extracts every page of the WCXB sets in ``../shared/bench``
(or the repo's subset); its ``VmRSS`` after start-up, its peak (``VmHWM``) and its address
space (``VmPeak``, what ``RLIMIT_AS`` caps) are read from ``/proc``. ``docs/extraction.md``
sizes the pool and ``ARTICLE_INGEST_EXTRACTION_MEMORY_MB`` on Lambda from these.

Run: ``python -m bench.worker_memory``.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.dataset import locate
from bench.extraction_digest import SHARED, shared_pages
from bench.machine import command, describe

OUT = Path(__file__).resolve().parent / "out"


def status() -> dict[str, int]:
    """This process's memory figures from ``/proc/self/status``, in MB."""
    figures = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "VmPeak", "VmSize"):
            figures[key] = int(value.split()[0]) // 1024
    return figures


def main() -> int:
    """Measure and write ``bench/out/worker_memory.json``."""
    from core.errors import ExtractionFailed
    from core.extraction_pool import ExtractionPool, PoolLimits
    from core.ports import PageInput

    if (SHARED / "wcxb-dev-articles").is_dir():
        pages, name = [(url, body) for _, url, body in shared_pages()], "shared (both folders)"
    else:
        pages, name = [(p.url, p.body) for p in locate(prefer_full=False).pages()], "subset"
    pool = ExtractionPool(PoolLimits(size=1, spare=0, wall_s=300, cpu_s=300))
    try:
        started = pool.call(status)
        failed = 0
        for i, (url, body) in enumerate(pages):
            page = PageInput(body=body, url=url or f"https://bench.example/{i}", article_id=str(i))
            try:
                pool.assemble(page)
            except ExtractionFailed:
                failed += 1
        after = pool.call(status)
    finally:
        pool.close()
    result = {
        "pages": len(pages),
        "dataset": name,
        "failed": failed,
        "after_start_mb": started,
        "after_pages_mb": after,
        "machine": describe(),
        "command": command("bench.worker_memory"),
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "worker_memory.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
