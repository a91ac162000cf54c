"""Every shared benchmark page's extracted Article, to compare one version of the code with another.

Extraction changes that must not change any result (a faster byline search, guards before
parsing, worker processes) are checked by writing the Articles of all the pages of
``../shared/bench`` (both folders, 1,497 pages) with the old code and with the new, then
comparing the two files::

    PYTHONPATH=/tmp/old/src python -m bench.extraction_digest /tmp/before.json
    python -m bench.extraction_digest /tmp/after.json --against /tmp/before.json

``--pool`` extracts through the worker pool instead of in this process. ``--text-hashes FILE``
also writes each page's text hash (``text_hashes``): the form in which
``tests/integration/test_extraction_equivalence.py`` keeps the texts from before page types.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.dataset import REPO

SHARED = REPO.parent / "shared" / "bench"
FOLDERS = ("wcxb-dev-articles", "wcxb-dev-other-types")


def shared_pages(root: Path = SHARED) -> Iterator[tuple[str, str, bytes]]:
    """(name, url, body) of every page of both shared folders, in name order."""
    for folder in FOLDERS:
        for path in sorted((root / folder / "html").glob("*.html.gz")):
            file_id = path.name.split(".")[0]
            truth = root / folder / "ground-truth" / f"{file_id}.json"
            url = json.loads(truth.read_text("utf-8")).get("url") if truth.exists() else None
            yield f"{folder}/{file_id}", str(url or ""), gzip.decompress(path.read_bytes())


def outcome(extractor: Any, url: str, body: bytes, name: str) -> dict[str, Any] | None:
    """The Article (as JSON) extracted from ``body``, None when none, or the failure."""
    from core.errors import ExtractionFailed
    from core.ports import PageInput

    page = PageInput(body=body, url=url or f"https://bench.example/{name}", article_id=name)
    try:
        article = extractor.assemble(page)
    except ExtractionFailed as failure:
        return {"failed": failure.code, "message": failure.message}
    return None if article is None else article.model_dump(mode="json")


def digest(use_pool: bool) -> dict[str, Any]:
    """Every page's outcome, by name."""
    if use_pool:
        from concurrent.futures import ThreadPoolExecutor

        from core.extraction_pool import ExtractionPool, PoolLimits, available_cores

        pool = ExtractionPool(PoolLimits(size=available_cores(), wall_s=120, cpu_s=120))
        pages = list(shared_pages())
        with ThreadPoolExecutor(available_cores()) as threads:
            results = threads.map(lambda p: outcome(pool, p[1], p[2], p[0]), pages)
            found = dict(zip((p[0] for p in pages), results, strict=True))
        pool.close()
        return found
    from core.extractors import InProcessExtractor

    extractor = InProcessExtractor()
    return {name: outcome(extractor, url, body, name) for name, url, body in shared_pages()}


def text_hash(result: dict[str, Any] | None) -> str | None:
    """A short hash of an outcome's text (None without an Article or a text)."""
    text = result.get("text") if isinstance(result, dict) else None
    if not isinstance(text, str):
        return None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def text_hashes(found: dict[str, Any]) -> dict[str, str | None]:
    """Every page's ``text_hash``, by name."""
    return {name: text_hash(result) for name, result in sorted(found.items())}


def differences(left: dict[str, Any], right: dict[str, Any]) -> list[str]:
    """One line per page whose outcome differs (and the fields that do)."""
    lines = []
    for name in sorted(set(left) | set(right)):
        a, b = left.get(name), right.get(name)
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            fields = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            lines.append(f"{name}: {', '.join(fields)}")
        else:
            lines.append(f"{name}: {type(a).__name__} -> {type(b).__name__}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Write the digest; with ``--against``, print the differences and return their count."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--against", type=Path, help="an earlier digest to compare with")
    parser.add_argument("--pool", action="store_true", help="extract in the worker pool")
    parser.add_argument("--text-hashes", type=Path, help="also write each page's text hash")
    args = parser.parse_args(argv)
    if not (SHARED / FOLDERS[0] / "html").is_dir():
        print(f"no shared pages at {SHARED}", file=sys.stderr)
        return 2
    found = digest(args.pool)
    args.out.write_text(json.dumps(found, ensure_ascii=False, sort_keys=True), "utf-8")
    print(f"{len(found)} pages, {sum(v is not None for v in found.values())} articles")
    if args.text_hashes:
        args.text_hashes.write_text(json.dumps(text_hashes(found), indent=0, sort_keys=True) + "\n")
    if not args.against:
        return 0
    lines = differences(json.loads(args.against.read_text("utf-8")), found)
    print("\n".join(lines) or "no differences")
    return len(lines)


if __name__ == "__main__":
    raise SystemExit(main())
