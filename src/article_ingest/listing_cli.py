"""``article-ingest list`` and ``export``, and what ``get`` accepts: the stored articles as
``GET /articles`` lists them (same filters, same checks, the same ``ArticleStore.list`` call),
one page or all of them, as JSON lines or CSV."""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, cast

from article_ingest.cli import (
    CliError,
    _bounded,
    _existing_data_dir,
    _settings,
    add_article_filters,
)

if TYPE_CHECKING:
    from core.models import Article
    from core.ports import ArticleQuery, ArticleStore

#: ``ArticleStatus`` values (kept here so that building the parser imports no pydantic; a unit
#: test holds the two equal).
STATUSES = ("queued", "fetched", "extracted", "indexed", "failed")
#: ``GET /articles``: ``limit`` is 1 to 100, 20 by default.
MAX_LIST_LIMIT = 100
DEFAULT_LIST_LIMIT = 20
_ARTICLE_ID = re.compile(r"[0-9a-f]{32}")


def add_filters(parser: argparse.ArgumentParser) -> None:
    """The filters of ``GET /articles``, refused as the API refuses them (422 there, exit 2
    here)."""
    group = parser.add_argument_group("filters (those of GET /articles)")
    group.add_argument("--status", choices=STATUSES, help="only articles in this state")
    add_article_filters(group)
    parser.add_argument(
        "--with-text", action="store_true", help="include each article's clean text"
    )


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    """Add ``list`` and ``export`` to the subcommands (``parents`` give ``--data-dir``, ``-v``)."""
    listing = commands.add_parser(
        "list",
        parents=parents,
        help="list stored articles, newest first (JSON lines)",
        description="Stored articles, newest publication date first, one Article JSON object"
        " per line (without its text unless --with-text): the filters and checks of"
        " GET /articles.",
    )
    add_filters(listing)
    size = listing.add_mutually_exclusive_group()
    size.add_argument(
        "--limit",
        type=_bounded("--limit", 1, MAX_LIST_LIMIT),
        default=DEFAULT_LIST_LIMIT,
        metavar="N",
        help=f"most articles to print, 1 to {MAX_LIST_LIMIT} (default: {DEFAULT_LIST_LIMIT})",
    )
    size.add_argument(
        "--all", action="store_true", help="every matching article (paged through the cursor)"
    )
    listing.set_defaults(func=cmd_list)

    export = commands.add_parser(
        "export",
        parents=parents,
        help="write every matching article as JSON lines or CSV",
        description="Every stored article matching the filters, read page by page (memory"
        " holds one page, however many there are). CSV has a fixed header (see README);"
        " a cell starting with = + - @ is prefixed with ' so a spreadsheet shows it as text.",
    )
    export.add_argument(
        "--format", required=True, choices=("jsonl", "csv"), help="jsonl or csv (required)"
    )
    export.add_argument(
        "--output",
        metavar="FILE",
        help="write here (created or replaced once the export is complete) instead of stdout",
    )
    add_filters(export)
    export.set_defaults(func=cmd_export)


def _query(args: argparse.Namespace, limit: int) -> ArticleQuery:
    from core.models import ArticleStatus, PageType
    from core.ports import ArticleQuery

    return ArticleQuery(
        site=args.site,
        language=args.language,
        status=ArticleStatus(args.status) if args.status else None,
        page_type=PageType(args.page_type) if args.page_type else None,
        since=args.since,
        until=args.until,
        limit=limit,
    )


def _store(args: argparse.Namespace) -> ArticleStore:
    """The article store of ``--data-dir``, which must hold a database (else a CliError)."""
    from core.services import Services

    settings = _settings(args)
    _existing_data_dir(settings)
    return Services(settings).articles


def cmd_list(args: argparse.Namespace) -> int:
    """Print one page of matching articles (or all of them) as JSON lines."""
    from article_ingest.export_formats import write_jsonl
    from core.listing import MAX_PAGE, iter_articles

    store = _store(args)
    articles: Iterable[Article]
    if args.all:
        articles, more = iter_articles(store, _query(args, MAX_PAGE)), False
    else:
        page = store.list(_query(args, args.limit))
        articles, more = page.items, page.next_cursor is not None
    with _stdout_closed_early():
        count = write_jsonl(articles, sys.stdout, args.with_text)
        sys.stdout.flush()
    if not count:
        print("no article matches", file=sys.stderr)
    elif more:
        print(f"{count} shown, more match: --all lists every one", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write every matching article to ``--output`` (or stdout) as JSON lines or CSV."""
    from article_ingest.export_formats import WRITERS
    from core.listing import MAX_PAGE, iter_articles

    articles = iter_articles(_store(args), _query(args, MAX_PAGE))
    with _destination(args.output) as out:
        count = WRITERS[args.format](articles, out, args.with_text)
    where = "stdout" if args.output in (None, "-") else args.output
    print(f"exported {count} article(s) to {where}", file=sys.stderr)
    return 0


@contextmanager
def _destination(path: str | None) -> Iterator[TextIO]:
    """UTF-8 text to stdout, or to a temporary file beside ``path`` that replaces it only once
    everything is written (an interrupted export leaves no partial file behind)."""
    if path is None or path == "-":
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
        try:
            yield stream
            stream.flush()
        except BrokenPipeError:
            _quiet_stdout()
            raise SystemExit(1) from None
        finally:
            stream.detach()  # sys.stdout stays open
        return
    target = Path(path)
    try:
        if target.is_dir():
            raise IsADirectoryError(21, "Is a directory")
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - replaced or removed below
            "w",
            encoding="utf-8",
            newline="",
            dir=target.parent,
            prefix=f".{target.name}.",
            suffix=".partial",
            delete=False,
        )
    except OSError as error:
        raise CliError(f"cannot write --output {path}: {error.strerror or error}") from None
    try:
        with handle:
            yield cast(TextIO, handle)
        os.chmod(handle.name, 0o666 & ~_umask())
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def _stdout_closed_early() -> Iterator[None]:
    """A reader that stops early (``| head``) ends the command quietly, as it ends ``cat``."""
    try:
        yield
    except BrokenPipeError:
        _quiet_stdout()
        raise SystemExit(1) from None


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that Python's flush at exit cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def article_key(value: str) -> str:
    """The article id ``get`` looks up: an id as given, or the id ingestion derives from a URL
    (``core.ids``: the normalised URL's digest); a CliError for anything else."""
    from urllib.parse import urlsplit

    if _ARTICLE_ID.fullmatch(value):
        return value
    parts = urlsplit(value.strip())
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        from core.ids import article_id

        try:
            return article_id(value)
        except ValueError as error:
            raise CliError(f"cannot read the URL {value!r}: {error}") from None
    raise CliError(f"{value!r} is neither an article id (32 hex digits) nor an http(s) URL")
