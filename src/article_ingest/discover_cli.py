"""``article-ingest ingest --feed/--sitemap/--site``: discovery before the ingest path."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.discovery import StartKind
    from core.extraction_options import ExtractionOptions
    from core.services import Services


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The discovery options of ``ingest``."""
    group = parser.add_argument_group("discovery (feeds and sitemaps)")
    for kind, what in (
        ("feed", "an RSS, Atom or JSON feed"),
        ("sitemap", "a sitemap or sitemap index (gzip or not)"),
        ("site", "a site: the sitemaps its robots.txt lists (else /sitemap.xml)"),
    ):
        group.add_argument(
            f"--{kind}",
            action="append",
            default=[],
            metavar="URL",
            help=f"ingest the new and changed article URLs of {what} (repeatable)",
        )
    group.add_argument("--since", type=_instant, help="only entries modified since (YYYY-MM-DD)")
    group.add_argument("--limit", type=int, help="most URLs per feed or sitemap")
    group.add_argument(
        "--any-site", action="store_true", help="keep URLs on other sites than the feed's own"
    )


def _instant(text: str) -> datetime:
    from core.discovery.parse import parse_date

    when = parse_date(text)
    if when is None:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)")
    return when


def starts(args: argparse.Namespace) -> list[tuple[StartKind, str]]:
    """The feeds, sitemaps and sites given on the command line."""
    kinds: tuple[StartKind, ...] = ("feed", "sitemap", "site")
    return [(kind, url) for kind in kinds for url in getattr(args, kind, None) or []]


def discover_all(
    services: Services, args: argparse.Namespace, options: ExtractionOptions | None = None
) -> tuple[list[str], int]:
    """The new and changed URLs of every feed, sitemap and site (as articles extracted with
    ``options``), and how many failed; one summary line per discovery on stderr."""
    from core.discovery import DiscoveryFailed, UrlState
    from core.discovery.usecase import discover

    urls: list[str] = []
    failed = 0
    for kind, url in starts(args):
        try:
            found = discover(
                services,
                kind,
                url,
                limit=args.limit,
                since=args.since,
                allow_other_sites=True if args.any_site else None,
                options=options,
            )
        except DiscoveryFailed as error:
            failed += 1
            print(f"FAILED  {kind} {url}  {error.code}: {error.message}", file=sys.stderr)
            continue
        counts = found.counts
        broken = sum(1 for document in found.documents if document.error is not None)
        print(
            f"DISCOVERED  {kind} {url}: {len(found.urls)} URLs ({counts[UrlState.NEW]} new,"
            f" {counts[UrlState.CHANGED]} changed, {counts[UrlState.STORED]} stored)"
            + (f", {broken} document(s) unusable" if broken else "")
            + (", truncated by a limit" if found.truncated else ""),
            file=sys.stderr,
        )
        urls += found.to_ingest()
    return urls, failed
