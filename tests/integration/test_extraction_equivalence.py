"""Through the worker pool, every shared benchmark page gives exactly the in-process result.

Skipped where ``../shared/bench`` is absent (CI has it beside the clone). The digest script
``python -m bench.extraction_digest`` compares one version of the code with another the same
way.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from bench.extraction_digest import SHARED, differences, outcome, shared_pages

from core.extraction_pool import ExtractionPool, PoolLimits
from core.extractors import InProcessExtractor


@pytest.mark.skipif(not (SHARED / "wcxb-dev-articles").is_dir(), reason="no ../shared/bench")
def test_pool_equals_in_process_on_every_shared_page() -> None:
    pages = list(shared_pages())
    assert len(pages) > 1000
    # budgets far above any real page's, so a loaded machine cannot turn one into a failure
    pool = ExtractionPool(PoolLimits(size=2, wall_s=300, cpu_s=300))
    try:
        with ThreadPoolExecutor(3) as threads:
            pooled = list(threads.map(lambda p: outcome(pool, p[1], p[2], p[0]), pages))
    finally:
        pool.close()
    extractor = InProcessExtractor()
    alone = [outcome(extractor, url, body, name) for name, url, body in pages]
    names = [name for name, _, _ in pages]
    assert (
        differences(dict(zip(names, alone, strict=True)), dict(zip(names, pooled, strict=True)))
        == []
    )
    assert sum(result is not None for result in alone) > 1000
