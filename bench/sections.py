"""The service and documentation profile on every page of those labels, whatever its predicted type.

``bench.pagetypes`` measures a profile only on the pages the classifier sends to it; this measures
``core.extract.profile_sections.sections_or_main`` against trafilatura's text
(``core.extract.text.main_text``) on the same parsed page, for every page labelled ``service`` or
``documentation`` (the documentation profile on documentation pages), and reports the even- and
odd-numbered files apart (tune on the even half, check on the odd one).

Run: ``python -m bench.sections [--labels service,documentation]``.
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

from bench.pagetypes import labelled_pages
from bench.scoring import word_f1

logger = logging.getLogger(__name__)


def _scores(body: bytes, url: str, truth: str, documentation: bool) -> tuple[float, float]:
    from core.extract.charset import decode_html
    from core.extract.loading import load_html
    from core.extract.profile_sections import sections_or_main
    from core.extract.text import main_text

    html = decode_html(body, None).text
    first, second = load_html(html), load_html(html)
    if first is None or second is None:
        return 0.0, 0.0
    ours = sections_or_main(first, url, documentation)
    theirs = main_text(second, url)
    return word_f1(ours, truth)[2], word_f1(theirs, truth)[2]


def run(labels: frozenset[str]) -> dict[str, Any]:
    """Mean word F1 per label and half: ``{label: {half: (pages, ours, trafilatura)}}``."""
    rows: dict[str, dict[str, list[tuple[float, float]]]] = {}
    for page in labelled_pages():
        if page.label not in labels:
            continue
        number = int(page.name.rsplit("/", 1)[-1])
        half = "even" if number % 2 == 0 else "odd"
        url = page.url or f"https://bench.example/{page.name}"
        truth = str(page.truth.get("main_content") or "")
        scores = _scores(page.body, url, truth, page.label == "documentation")
        rows.setdefault(page.label, {}).setdefault(half, []).append(scores)
    result: dict[str, Any] = {}
    for label, halves in rows.items():
        everything = [score for half in halves.values() for score in half]
        result[label] = {
            half: (
                len(scores),
                sum(s[0] for s in scores) / len(scores),
                sum(s[1] for s in scores) / len(scores),
            )
            for half, scores in (*halves.items(), ("all", everything))
        }
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Command line entry point: prints the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--labels", default="service,documentation")
    args = parser.parse_args(argv)
    result = run(frozenset(args.labels.split(",")))
    logger.info("%-14s %-5s %5s %9s %9s", "label", "half", "pages", "sections", "trafi")
    for label, halves in result.items():
        for half in ("even", "odd", "all"):
            pages, ours, theirs = halves[half]
            logger.info("%-14s %-5s %5d %9.3f %9.3f", label, half, pages, ours, theirs)
    return result


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    main()
