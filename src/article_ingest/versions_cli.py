"""Freshness options of ``article-ingest ingest`` and the ``versions`` command."""

from __future__ import annotations

import argparse
import json
import sys


def add_freshness_arguments(parser: argparse.ArgumentParser) -> None:
    """``--max-age`` and ``--refresh`` of ``ingest``."""
    group = parser.add_argument_group("freshness (pages already stored)")
    group.add_argument(
        "--max-age",
        type=_seconds,
        metavar="S",
        help="keep a stored copy fetched or checked within S seconds (no fetch); otherwise a"
        " stored page is refetched conditionally (ETag / Last-Modified)",
    )
    group.add_argument(
        "--refresh",
        action="store_true",
        help="refetch every URL unconditionally (no max age, no 304)",
    )


def _seconds(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"a number of seconds is 0 or more, not {value}")
    return value


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 1 <= value <= 100:
        raise argparse.ArgumentTypeError(f"--limit is 1 to 100, not {value}")
    return value


def add_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    data: argparse.ArgumentParser,
) -> None:
    """The ``versions ID`` command."""
    versions = commands.add_parser(
        "versions", parents=[data], help="list the content versions of a stored article"
    )
    versions.add_argument("id", help="the article's id (32 hex digits)")
    versions.add_argument("--limit", type=_limit, default=20, help="versions per page (1-100)")
    versions.add_argument("--cursor", help="next_cursor of the previous page")
    versions.set_defaults(func=cmd_versions)


def cmd_versions(args: argparse.Namespace) -> int:
    """Print one page of an article's versions (newest first) as JSON."""
    from article_ingest.cli import _existing_data_dir, _print_json, _settings
    from core.errors import InvalidCursor, NotFound
    from core.services import Services
    from core.versions import list_versions

    settings = _settings(args)
    _existing_data_dir(settings)
    services = Services(settings)
    try:
        page = list_versions(
            services.articles, services.versions, args.id, limit=args.limit, cursor=args.cursor
        )
    except (NotFound, InvalidCursor) as error:
        problem = {"error": {"code": error.code, "message": error.message}}
        print(json.dumps(problem), file=sys.stderr)
        return 1
    _print_json(page)
    return 0
