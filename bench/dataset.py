"""The WCXB development articles: the full set next to the repo, or the subset inside it.

The repo keeps every 4th page (``SUBSET_STEP``) of the 793 article pages with the data set's
licence and attribution, so ``make bench`` runs on a fresh clone; when the full set is present
at ``../shared/bench/wcxb-dev-articles`` (or ``BENCH_WCXB_DIR``) it is used instead.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent
SUBSET_DIR = REPO / "bench" / "data" / "wcxb-dev-articles"
FULL_DIR = REPO.parent / "shared" / "bench" / "wcxb-dev-articles"
SUBSET_STEP = 4


@dataclass(frozen=True)
class Page:
    """One benchmark page: its raw bytes, URL and ground truth."""

    file_id: str
    url: str
    body: bytes
    truth: dict[str, object]


@dataclass(frozen=True)
class DataSet:
    """Where the pages come from and which of them."""

    root: Path
    name: str  # "full" or "subset"

    def ids(self) -> list[str]:
        """The page ids present, sorted."""
        return sorted(p.name.split(".")[0] for p in (self.root / "html").glob("*.html.gz"))

    def pages(self) -> Iterator[Page]:
        """Every page, in id order."""
        for file_id in self.ids():
            meta = json.loads((self.root / "ground-truth" / f"{file_id}.json").read_text("utf-8"))
            body = gzip.decompress((self.root / "html" / f"{file_id}.html.gz").read_bytes())
            yield Page(file_id, str(meta.get("url") or ""), body, dict(meta["ground_truth"]))


def locate(prefer_full: bool = True) -> DataSet:
    """The full set when present (and preferred), else the repo's subset."""
    override = os.environ.get("BENCH_WCXB_DIR")
    if override:
        return DataSet(
            Path(override), "full" if len(list(Path(override).glob("html/*"))) > 400 else "subset"
        )
    if prefer_full and (FULL_DIR / "html").is_dir():
        return DataSet(FULL_DIR, "full")
    return DataSet(SUBSET_DIR, "subset")


def make_subset(source: Path = FULL_DIR, target: Path = SUBSET_DIR, step: int = SUBSET_STEP) -> int:
    """Copy every ``step``-th page (by id order) plus LICENSE and README; returns the count."""
    ids = sorted(p.name.split(".")[0] for p in (source / "html").glob("*.html.gz"))[::step]
    (target / "html").mkdir(parents=True, exist_ok=True)
    (target / "ground-truth").mkdir(parents=True, exist_ok=True)
    for file_id in ids:
        shutil.copyfile(
            source / "html" / f"{file_id}.html.gz", target / "html" / f"{file_id}.html.gz"
        )
        shutil.copyfile(
            source / "ground-truth" / f"{file_id}.json", target / "ground-truth" / f"{file_id}.json"
        )
    shutil.copyfile(source / "LICENSE", target / "LICENSE")
    logger.info("copied %d pages to %s", len(ids), target)
    return len(ids)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    print(make_subset())
