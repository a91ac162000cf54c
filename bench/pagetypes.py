"""Page types on all WCXB development pages: the classifier's accuracy, and text quality per type.

Both shared folders (``../shared/bench``: 793 articles, 704 pages of six other types), each page
labelled with the data set's page type (``_internal.page_type.primary``; ``article`` for the
article folder). Per page: our extraction (``core.extract.assemble.assemble``: the page type is
classified and that type's profile extracts the text) and bare trafilatura
(``trafilatura.extract(body, include_comments=False)``) on the same bytes, timed interleaved
(alternating which goes first), then scored with ``bench.scoring``. A ground-truth file without
``main_content`` (21 of the 1,497) is scored against the empty string (a 0 for both
extractors); the data set's README allows leaving those out instead, so the group ``all with a
truth`` reports the mean without them beside ``all``.

Run: ``python -m bench.pagetypes [--workers N] [--types forum,product]`` (writes
``bench/out/pagetypes.json``, and each page's scores and predicted type to
``bench/out/pagetypes-pages.json``; ``--types`` measures only the pages of those labels, for
tuning one profile).
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.dataset import REPO
from bench.machine import command, cores, describe
from bench.scoring import PageScore, score_page, summarize

logger = logging.getLogger(__name__)
OUT = Path(__file__).resolve().parent / "out"
SHARED = REPO.parent / "shared" / "bench"
FOLDERS = ("wcxb-dev-articles", "wcxb-dev-other-types")
TYPES = ("article", "forum", "product", "collection", "listing", "documentation", "service")
#: The groups reported beside each labelled type.
GROUPS = (*TYPES, "other six", "all", "all with a truth")


@dataclass(frozen=True)
class LabelledPage:
    """One page with its labelled type."""

    name: str
    url: str
    label: str
    body: bytes
    truth: dict[str, object]


def labelled_pages(root: Path = SHARED) -> Iterator[LabelledPage]:
    """Every page of both folders with its label, in name order."""
    for folder in FOLDERS:
        for path in sorted((root / folder / "ground-truth").glob("*.json")):
            meta = json.loads(path.read_text("utf-8"))
            label = meta.get("_internal", {}).get("page_type", {}).get("primary") or "article"
            body = gzip.decompress((root / folder / "html" / f"{path.stem}.html.gz").read_bytes())
            yield LabelledPage(
                f"{folder}/{path.stem}",
                str(meta.get("url") or ""),
                str(label),
                body,
                dict(meta.get("ground_truth") or {}),
            )


def _measure(page: LabelledPage) -> dict[str, Any]:
    import trafilatura

    from core.extract.assemble import assemble
    from core.ports import PageInput

    def ours() -> Any:
        url = page.url or f"https://bench.example/{page.name}"
        return assemble(PageInput(body=page.body, url=url, article_id=page.name))

    def bare() -> Any:
        return trafilatura.extract(page.body, include_comments=False)

    first_ours = hash(page.name) % 2 == 0
    timings: dict[str, float] = {}
    results: dict[str, Any] = {}
    for name, work in (
        (("ours", ours), ("bare", bare)) if first_ours else (("bare", bare), ("ours", ours))
    ):
        start = time.process_time()
        results[name] = work()
        timings[name] = time.process_time() - start
    article = results["ours"]
    text = article.text if article is not None else None
    predicted = article.page_type.value if article is not None and article.page_type else "none"
    return {
        "name": page.name,
        "label": page.label,
        "predicted": predicted,
        "has_truth": bool(str(page.truth.get("main_content") or "").strip()),
        "ours": score_page(text, None, None, None, page.truth),
        "trafilatura": score_page(results["bare"], None, None, None, page.truth),
        "ours_s": timings["ours"],
        "bare_s": timings["bare"],
    }


def confusion(rows: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Labelled type → predicted type → pages."""
    counts = Counter((row["label"], row["predicted"]) for row in rows)
    predicted = sorted({row["predicted"] for row in rows})
    return {label: {p: counts[(label, p)] for p in predicted} for label in TYPES}


def group_rows(rows: list[dict[str, Any]], group: str) -> list[dict[str, Any]]:
    """The rows of one reported group: a labelled type, ``other six`` (every label but
    article), ``all``, or ``all with a truth`` (the pages whose ground truth has text)."""
    if group == "all":
        return rows
    if group == "all with a truth":
        return [r for r in rows if r["has_truth"]]
    if group == "other six":
        return [r for r in rows if r["label"] != "article"]
    return [r for r in rows if r["label"] == group]


def run(workers: int | None = None, types: frozenset[str] | None = None) -> dict[str, Any]:
    """Measure every page (or those labelled one of ``types``); returns the result document,
    the per-page rows under ``rows``."""
    pages = (page for page in labelled_pages() if types is None or page.label in types)
    with ProcessPoolExecutor(max_workers=workers or cores()) as pool:
        rows = list(pool.map(_measure, pages, chunksize=8))
    per_type: dict[str, Any] = {}
    for group in GROUPS:
        chosen = group_rows(rows, group)
        ours: list[PageScore] = [r["ours"] for r in chosen]
        bare: list[PageScore] = [r["trafilatura"] for r in chosen]
        per_type[group] = {
            "pages": len(chosen),
            "ours": summarize(ours),
            "trafilatura": summarize(bare),
            "ours_ms_per_page": sum(r["ours_s"] for r in chosen) / (len(chosen) or 1) * 1000,
            "trafilatura_ms_per_page": sum(r["bare_s"] for r in chosen) / (len(chosen) or 1) * 1000,
        }
    correct = sum(r["label"] == r["predicted"] for r in rows)
    return {
        "command": command("bench.pagetypes"),
        "machine": describe(),
        "pages": len(rows),
        "classifier_accuracy": correct / (len(rows) or 1),
        "confusion": confusion(rows),
        "per_type": per_type,
        "speed_ratio": sum(r["ours_s"] for r in rows) / (sum(r["bare_s"] for r in rows) or 1),
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Command line entry point; writes ``bench/out/pagetypes.json``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument(
        "--types", default=None, help="comma-separated labels to measure (default: all pages)"
    )
    args = parser.parse_args(argv)
    types = frozenset(args.types.split(",")) if args.types else None
    if types is not None and not types <= set(TYPES):
        parser.error(f"--types: choose among {', '.join(TYPES)}")
    if not (SHARED / FOLDERS[0] / "html").is_dir():
        raise SystemExit(f"no shared pages at {SHARED}")
    result = run(args.workers, types)
    result["command"] = command("bench.pagetypes", argv)
    OUT.mkdir(exist_ok=True)
    rows = [
        {**row, "ours": asdict(row["ours"]), "trafilatura": asdict(row["trafilatura"])}
        for row in result.pop("rows")
    ]
    (OUT / "pagetypes-pages.json").write_text(json.dumps(rows, indent=1) + "\n")
    (OUT / "pagetypes.json").write_text(json.dumps(result, indent=1) + "\n")
    logger.info(
        "classifier accuracy %.3f on %d pages", result["classifier_accuracy"], result["pages"]
    )
    logger.info("%-14s %5s %7s %7s %6s %6s", "type", "pages", "ours", "trafi", "with", "w/out")
    for group, numbers in result["per_type"].items():
        logger.info(
            "%-14s %5d %7.3f %7.3f %6.3f %6.3f",
            group,
            numbers["pages"],
            numbers["ours"]["f1"],
            numbers["trafilatura"]["f1"],
            numbers["ours"]["with_found"],
            numbers["ours"]["without_kept"],
        )
    logger.info("speed: ours / bare trafilatura CPU time = %.3f", result["speed_ratio"])
    return result


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    main()
