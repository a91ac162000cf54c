"""Extraction quality on the WCXB development articles: ours vs bare trafilatura.

Ours is the pipeline's extraction step, ``core.extract.assemble.assemble`` (text without the title
line, metadata from ``core.extract``). Bare trafilatura is ``trafilatura.extract(html,
include_comments=False)`` on the same bytes; its metadata column is
``trafilatura.extract_metadata`` (what ``with_metadata=True`` adds), since bare ``extract``
returns text only.

Run: ``python -m bench.quality [--subset] [--variants]``.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench.dataset import DataSet, Page, locate
from bench.machine import command, cores, describe
from bench.scoring import PageScore, score_page, summarize

logger = logging.getLogger(__name__)
OUT = Path(__file__).resolve().parent / "out"

# name -> keyword arguments for trafilatura.extract (the --variants run).
TRAFILATURA_VARIANTS: dict[str, dict[str, Any]] = {
    "trafilatura fast=True": {"fast": True},
    "trafilatura favor_precision": {"favor_precision": True},
    "trafilatura favor_recall": {"favor_recall": True},
}


def _ours(page: Page) -> dict[str, PageScore]:
    from core.extract.assemble import assemble
    from core.ports import PageInput

    article = assemble(PageInput(body=page.body, url=page.url, article_id=page.file_id))
    if article is None:
        empty = score_page(None, None, None, None, page.truth)
        return {"ours": empty, "ours_title_in_text": empty}
    meta = (article.title, article.author, article.date)
    with_title = f"{article.title}\n{article.text}" if article.title else article.text
    return {
        "ours": score_page(article.text, *meta, page.truth),
        "ours_title_in_text": score_page(with_title, *meta, page.truth),
    }


def _bare(page: Page) -> dict[str, PageScore]:
    import trafilatura
    from trafilatura.metadata import extract_metadata

    text = trafilatura.extract(page.body, include_comments=False)
    meta = extract_metadata(page.body, default_url=page.url)
    return {"trafilatura": score_page(text, meta.title, meta.author, meta.date, page.truth)}


def _variants(page: Page) -> dict[str, PageScore]:
    import trafilatura

    scores = {}
    for name, kwargs in TRAFILATURA_VARIANTS.items():
        text = trafilatura.extract(page.body, include_comments=False, **kwargs)
        scores[name] = score_page(text, None, None, None, page.truth)
    return scores


def _score(page: Page, variants: bool) -> tuple[str, dict[str, PageScore]]:
    scores = {**_ours(page), **_bare(page)}
    if variants:
        scores.update(_variants(page))
    return page.file_id, scores


def _score_full(page: Page) -> tuple[str, dict[str, PageScore]]:
    return _score(page, False)


def _score_variants(page: Page) -> tuple[str, dict[str, PageScore]]:
    return _score(page, True)


def run(dataset: DataSet, variants: bool = False, workers: int | None = None) -> dict[str, Any]:
    """Score every page of ``dataset`` with every extractor; returns the result document."""
    scorer: Callable[[Page], tuple[str, dict[str, PageScore]]] = (
        _score_variants if variants else _score_full
    )
    per_page: dict[str, dict[str, PageScore]] = {}
    with ProcessPoolExecutor(max_workers=workers or cores()) as pool:
        for file_id, scores in pool.map(scorer, dataset.pages(), chunksize=8):
            per_page[file_id] = scores
    names = list(next(iter(per_page.values())))
    summary = {name: summarize([per_page[i][name] for i in sorted(per_page)]) for name in names}
    worst = sorted(per_page, key=lambda i: per_page[i]["ours"].f1)[:15]
    return {
        "command": command("bench.quality"),
        "machine": describe(),
        "dataset": {"name": dataset.name, "root": str(dataset.root), "pages": len(per_page)},
        "summary": summary,
        "worst_pages_ours": {i: round(per_page[i]["ours"].f1, 3) for i in worst},
        "f1_per_page": {i: {n: round(s.f1, 4) for n, s in per_page[i].items()} for i in per_page},
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Command line entry point; writes ``bench/out/quality.json``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subset", action="store_true", help="use the repo's subset only")
    parser.add_argument("--variants", action="store_true", help="also score trafilatura modes")
    args = parser.parse_args(argv)
    result = run(locate(prefer_full=not args.subset), variants=args.variants)
    result["command"] = command("bench.quality", argv)
    OUT.mkdir(exist_ok=True)
    name = "quality_variants.json" if args.variants else "quality.json"
    (OUT / name).write_text(json.dumps(result, indent=1) + "\n")
    for extractor, numbers in result["summary"].items():
        logger.info("%-28s %s", extractor, {k: round(v, 3) for k, v in numbers.items()})
    return result


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    main()
