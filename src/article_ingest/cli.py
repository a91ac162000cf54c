"""The ``article-ingest`` command line: extract, ingest, get, list, export, search, serve.

A mistake of the user's (a bad argument, a data directory that does not exist or cannot be
written, a busy port) ends with one ``error:`` line on stderr and exit 2 (1 for a port that
cannot be served), never a traceback; ``-v`` shows the traceback of an unexpected failure.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

# pydantic and the models take most of a second to import: `extract` needs neither (its
# workers build the JSON), so every other command imports them when it runs.
if TYPE_CHECKING:
    from pydantic import BaseModel

    from core.extraction_options import ExtractionOptions
    from core.extraction_pool import PoolLimits
    from core.services import Services
    from core.settings import Settings
    from core.submission import SubmissionResult

logger = logging.getLogger(__name__)

#: The API's rules for the same query parameters (``handlers/api.py``), so both refuse alike.
_LANGUAGE = re.compile(r"[a-z]{2}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_QUERY_CHARS = 256
MAX_SITE_CHARS = 253
MAX_SEARCH_LIMIT = 50
#: The extraction options the ``ingest`` and ``extract`` commands take (``ExtractionOptions``).
OPTION_FLAGS = (
    "include_comments",
    "include_tables",
    "include_links",
    "include_images",
    "favor",
    "target_language",
)


class CliError(Exception):
    """A failure the user can fix: printed as one ``error:`` line, the process exits ``code``."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def _print_json(model: BaseModel | list[BaseModel]) -> None:
    if isinstance(model, list):
        print(json.dumps([m.model_dump(mode="json") for m in model], ensure_ascii=False, indent=2))
    else:
        print(model.model_dump_json(indent=2))


def _settings(args: argparse.Namespace) -> Settings:
    """The settings of the environment, ``--data-dir`` applied; a bad variable is a CliError."""
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    from core.settings import Settings

    overrides: dict[str, object] = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except SettingsError as error:  # a value that is not even JSON, e.g. ALLOWED_PORTS=80,443
        field = re.search(r'field "(\w+)"', str(error))
        name = f"ARTICLE_INGEST_{field.group(1).upper()}" if field else "?"
        raise CliError(f"invalid setting {name}: not JSON (lists are JSON: [80, 443])") from None
    except ValidationError as error:
        problem = error.errors()[0]
        name = f"ARTICLE_INGEST_{str(problem['loc'][0]).upper()}" if problem["loc"] else "?"
        raise CliError(f"invalid setting {name}: {problem['msg']}") from None


def _writable_data_dir(settings: Settings) -> None:
    """Create the local data directory if it is missing and make sure it can be written."""
    if settings.backend != "local":
        return
    import tempfile

    path = settings.data_dir
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as error:
        reason = error.strerror or str(error)
        raise CliError(f"cannot write to the data directory {path}: {reason}") from None


def _existing_data_dir(settings: Settings) -> None:
    """Refuse to read a local data directory that holds no database (a mistyped path must not
    be created and answered with "not found")."""
    if settings.backend != "local" or settings.db_path.is_file():
        return
    path = settings.data_dir
    state = "holds no article database" if path.is_dir() else "does not exist"
    raise CliError(
        f"the data directory {path} {state}: nothing was ingested there"
        " (check --data-dir or ARTICLE_INGEST_DATA_DIR)"
    )


def _extraction_limits(jobs: int) -> PoolLimits:
    """The pool's limits for ``jobs`` workers and no spare (a batch wants throughput: a spare
    started while both workers are on slow pages only takes a core from them): the settings'
    budgets when any is set in the environment, else the defaults (equal to the settings',
    without importing pydantic)."""
    from core.extraction_pool import PoolLimits

    if any(name.startswith("ARTICLE_INGEST_EXTRACTION_") for name in os.environ):
        from dataclasses import replace

        limits = PoolLimits.from_settings(_settings(argparse.Namespace()))
        return replace(limits, size=jobs, spare=0)
    return PoolLimits(size=jobs, spare=0)


def cmd_extract(args: argparse.Namespace) -> int:
    """Each input file's Article, in input order, as ``--format`` says (JSON lines by
    default; failures are lines with an ``error``), on stdout or one file per input in
    ``--output-dir``. Files are extracted by ``--jobs`` worker processes (default: every core),
    each page within the extraction budget, ``--jobs 1`` too, so that a hostile page cannot
    stall or kill the command (one worker costs about what extracting in this process does:
    docs/extraction.md, "The extract command"). This process reads the next file while a
    worker extracts the previous one."""
    from article_ingest.offline import expand_paths

    paths = list(expand_paths(Path(p) for p in args.paths))
    if not paths:
        given = ", ".join(args.paths)
        print(f"error: no .html or .html.gz file in {given}; nothing to extract", file=sys.stderr)
        return 1
    options = chosen_options(args)
    output = Output(args.format, args.output_dir, paths)
    from article_ingest.offline import (
        checked_options,
        extract_output,
        failure,
        page_url,
        read_ahead,
    )
    from core.errors import ExtractionFailed
    from core.extraction_pool import ExtractionPool, available_cores

    jobs = max(1, args.jobs or available_cores())
    pool = ExtractionPool(_extraction_limits(jobs))

    def extract(path: Path) -> tuple[bool, str, str]:
        try:
            # read here while the worker is on the previous file (it reads what this cannot)
            body = read_ahead(path)
            return pool.call(
                extract_output, path, args.url, args.content_type, options, args.format, body
            )
        except ExtractionFailed as error:
            result = failure(
                path,
                page_url(path, args.url),
                error.code,
                f"{path}: {error.message}",
                checked_options(options),
            )
            problem = f"{error.code}: {path}: {error.message}"
            if args.format == "json":
                return True, result.model_dump_json(exclude_none=False), problem
            return True, "", problem

    try:
        # one thread per worker, and one more so that a worker never waits for its next file
        with ThreadPoolExecutor(jobs + 1) as threads:
            return output.write_all(threads.map(extract, paths))
    finally:
        pool.close()


class Output:
    """Where ``extract`` writes: stdout (JSON lines; txt and markdown each after a
    ``==> FILE <==`` line) or one file per input in a directory, named after the input."""

    def __init__(self, file_format: str, directory: str | None, paths: Sequence[Path]) -> None:
        self.format = file_format
        self.paths = list(paths)
        self.targets: list[Path] | None = None
        if directory is not None:
            from article_ingest.offline import SUFFIXES

            self.targets = _targets(Path(directory), self.paths, SUFFIXES[file_format])
            try:
                Path(directory).mkdir(parents=True, exist_ok=True)
            except OSError as error:
                reason = error.strerror or str(error)
                raise CliError(
                    f"cannot create the output directory {directory}: {reason}"
                ) from None

    def write_all(self, outputs: Iterable[tuple[bool, str, str]]) -> int:
        """Write each (failed, output, problem) as it comes; the exit code of ``extract``."""
        failed = 0
        for index, (page_failed, text, problem) in enumerate(outputs):
            failed += page_failed
            source = self.paths[index]
            if page_failed and (self.format != "json" or self.targets is not None):
                print(f"FAILED  {source}  {problem}", file=sys.stderr)
            if self.targets is not None:
                if text:
                    self.targets[index].write_text(text + "\n", encoding="utf-8")
            elif self.format == "json":
                sys.stdout.write(text + "\n")
            elif text:
                sys.stdout.write(f"==> {source} <==\n{text}\n\n")
            sys.stdout.flush()
        total = len(self.paths)
        if failed:
            print(f"{failed} of {total} file(s) yielded no article", file=sys.stderr)
        return 1 if failed or not total else 0


def _targets(directory: Path, paths: Sequence[Path], suffix: str) -> list[Path]:
    """One file in ``directory`` per input, named after it (``page.html.gz`` → ``page`` +
    ``suffix``); a name taken by an earlier input gets ``-2``, ``-3``…"""
    from article_ingest.offline import HTML_SUFFIXES

    taken: set[str] = set()
    targets = []
    for path in paths:
        name = path.name
        for known in sorted(HTML_SUFFIXES, key=len, reverse=True):
            if name.lower().endswith(known):
                name = name[: -len(known)]
                break
        candidate, n = name or "page", 1
        while candidate.lower() in taken:
            n += 1
            candidate = f"{name}-{n}"
        taken.add(candidate.lower())
        targets.append(directory / f"{candidate}{suffix}")
    return targets


def chosen_options(args: argparse.Namespace) -> dict[str, object]:
    """The extraction options given on the command line (only those given), as a dict."""
    chosen: dict[str, object] = {}
    for name in OPTION_FLAGS:
        value = getattr(args, name, None)
        if value is not None:
            chosen[name] = value
    return chosen


def _read_urls(args: argparse.Namespace) -> list[str]:
    """The URLs of the command line and ``--urls-file`` (blank and ``#`` lines skipped);
    duplicates are collapsed by article id in ``core.submission``."""
    urls = list(args.urls)
    if args.urls_file:
        text = sys.stdin.read() if args.urls_file == "-" else Path(args.urls_file).read_text()
        urls += [line.strip() for line in text.splitlines()]
    return [url for url in urls if url and not url.startswith("#")]


def _fetchable(urls: Iterable[str], settings: Settings) -> list[str]:
    """The URLs the fetcher will fetch (the others are rejected at once, at no pace cost)."""
    from core.fetch import FetchPolicy, UrlRejected, validate_url

    policy = FetchPolicy.from_settings(settings)
    fetchable = []
    for url in urls:
        try:
            fetchable.append(validate_url(url, policy))
        except UrlRejected:
            continue
    return fetchable


def _final(services: Services, result: SubmissionResult) -> SubmissionResult:
    """``result`` with the article as stored now (after the drain indexed it)."""
    if result.id is None or result.error is not None:
        return result
    stored = services.articles.get(result.id)
    if stored is None:
        return result
    return result.model_copy(update={"article": stored, "status": stored.status.value})


def _print_result(result: SubmissionResult, as_json: bool, batch_id: str | None = None) -> None:
    article = result.article
    if as_json:
        line = (
            article.model_dump(mode="json", exclude={"text"})
            if article is not None
            else result.model_dump(mode="json", exclude={"article"})
        )
        if batch_id:
            line["batch_id"] = batch_id  # the batch this run formed (`article-ingest batch ID`)
        print(json.dumps(line, ensure_ascii=False))
    elif result.status == "rejected" and result.error is not None:
        print(f"REJECTED  {result.url}  {result.error.code}: {result.error.message}")
    elif result.error is not None:
        print(f"FAILED  {result.url}  {result.error.code}: {result.error.message}")
    elif article is not None:
        print(
            f"{article.status.value.upper():8}{article.id}  {article.language or '--'}  "
            f"{article.word_count:>6} words  {article.title or '(no title)'}  {article.url}"
        )
    else:
        print(f"{result.status.upper():8}{result.id}  {result.url}")


def cmd_ingest(args: argparse.Namespace) -> int:
    """Fetch, extract, store and index every URL; print a per-URL summary. Exit 1 when any
    URL failed or was rejected."""
    from article_ingest import discover_cli
    from article_ingest.drainer import Drainer
    from article_ingest.progress import Progress, pace_note
    from article_ingest.runtime import LocalRuntime
    from core.services import Services
    from core.submission import Submitter

    try:
        urls = _read_urls(args)
    except OSError as error:
        print(f"error: cannot read --urls-file: {error}", file=sys.stderr)
        return 2
    if not urls and not discover_cli.starts(args):
        print(
            "error: no URLs given (pass URLs, --urls-file, --feed, --sitemap or --site)",
            file=sys.stderr,
        )
        return 2
    settings = _settings(args)
    _writable_data_dir(settings)
    services = Services(settings)
    discovered, discovery_failed = discover_cli.discover_all(services, args, _options(args))
    urls += discovered
    if not urls:
        print("nothing new to ingest", file=sys.stderr)
        return 1 if discovery_failed else 0
    progress = Progress(len(urls), "ingest")
    progress.note(pace_note(_fetchable(urls, settings), settings.per_host_delay_s))

    # Index and announce what is stored while later URLs are still being fetched.
    drainer = Drainer(lambda: LocalRuntime(services).drain())

    def advance(result: SubmissionResult) -> None:
        progress.advance(failed=result.status in ("failed", "rejected"))
        drainer.kick()

    submission = Submitter(services, _options(args)).ingest_batch(
        urls, on_result=advance, max_age=args.max_age, force=args.refresh
    )
    results = submission.results
    progress.close()
    drainer.kick()  # one pass after the last result, whatever ran before
    drainer.wait_idle()
    final = [_final(services, result) for result in results]
    counts = Counter(
        "rejected" if r.status == "rejected" else "failed" if r.status == "failed" else "ok"
        for r in final
    )
    for result in final:
        _print_result(result, args.json, submission.batch_id)
    print(
        f"{counts['ok']} ok, {counts['failed']} failed, {counts['rejected']} rejected,"
        f" data in {services.settings.data_dir}"
        + (f", batch {submission.batch_id}" if submission.batch_id else ""),
        file=sys.stderr,
    )
    return 1 if counts["failed"] or counts["rejected"] or discovery_failed else 0


def _options(args: argparse.Namespace) -> ExtractionOptions:
    """The ``ExtractionOptions`` of the command line."""
    from core.extraction_options import ExtractionOptions

    return ExtractionOptions.model_validate(chosen_options(args))


def cmd_get(args: argparse.Namespace) -> int:
    """Print one stored Article, named by its id or by a URL (normalised to its id as
    ingestion does)."""
    from article_ingest.listing_cli import article_key
    from core.services import Services

    the_id = article_key(args.id)
    settings = _settings(args)
    _existing_data_dir(settings)
    article = Services(settings).articles.get(the_id)
    if article is None:
        what = args.id if the_id == args.id else f"for {args.id} (id {the_id}): never ingested"
        print(
            json.dumps({"error": {"code": "not_found", "message": f"no article {what}"}}),
            file=sys.stderr,
        )
        return 1
    _print_json(article)
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    """Print a batch as ``GET /batches/{id}`` answers it (counts, finished, items)."""
    from core.batches.models import BatchStatus
    from core.errors import InvalidCursor
    from core.services import Services

    settings = _settings(args)
    _existing_data_dir(settings)
    store = Services(settings).batches
    batch = store.get(args.id)
    if batch is None:
        print(
            json.dumps({"error": {"code": "not_found", "message": f"no batch {args.id}"}}),
            file=sys.stderr,
        )
        return 1
    try:
        items, next_cursor = store.items(args.id, limit=args.limit, cursor=args.cursor)
    except InvalidCursor as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    _print_json(BatchStatus(**batch.model_dump(), items=items, next_cursor=next_cursor))
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    """Print ranked search hits as JSON."""
    from core.services import Services

    settings = _settings(args)
    _existing_data_dir(settings)
    from core.models import PageType

    hits = Services(settings).search_index.search(
        args.query,
        language=args.language,
        site=args.site,
        since=args.since,
        until=args.until,
        limit=args.limit,
        page_type=PageType(args.page_type) if args.page_type else None,
    )
    _print_json(list(hits))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the HTTP API locally on the embedded default."""
    import errno

    from article_ingest.serve import run

    settings = _settings(args)
    _writable_data_dir(settings)
    if not is_loopback(args.host):
        print(
            f"warning: serving on {args.host or 'every interface'}, reachable from other"
            " machines. This API has no authentication: anyone who can reach it can make this"
            " machine fetch URLs and read every stored article.",
            file=sys.stderr,
        )
    try:
        run(args.host, args.port, settings)
    except OSError as error:
        hint = (
            " (another server? choose one with --port)" if error.errno == errno.EADDRINUSE else ""
        )
        reason = error.strerror or str(error)
        raise CliError(f"cannot serve on {args.host}:{args.port}: {reason}{hint}", 1) from None
    return 0


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server on this machine."""
    import ipaddress

    name = host.strip().strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


# -- argument types: what the API refuses with 422, refused here before any work -----------


def _language(value: str) -> str:
    if not _LANGUAGE.fullmatch(value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a language code: use ISO 639-1, two lowercase letters (en, fr)"
        )
    return value


def _date(value: str) -> str:
    from datetime import date

    try:
        if not _DATE.fullmatch(value):
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date YYYY-MM-DD") from None
    return value


def _bounded(name: str, low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = low - 1
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"{name} must be an integer from {low} to {high}")
        return number

    return parse


def _text(name: str, most: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if not value.strip() or len(value) > most:
            raise argparse.ArgumentTypeError(f"{name} must be 1 to {most} characters")
        return value

    return parse


def _add_option_arguments(parser: argparse.ArgumentParser) -> None:
    """The extraction options (``ExtractionOptions``; docs/api.md#extraction-options)."""
    group = parser.add_argument_group(
        "extraction options",
        "other than the defaults, they make each URL another article, with an id of its own",
    )
    flag = argparse.BooleanOptionalAction
    group.add_argument(
        "--include-comments", action=flag, default=None, help="keep readers' comments (default: no)"
    )
    group.add_argument(
        "--include-tables", action=flag, default=None, help="keep tables' text (default: yes)"
    )
    group.add_argument(
        "--include-links",
        action=flag,
        default=None,
        help="list the main content's links in the Article's `links` (default: no)",
    )
    group.add_argument(
        "--include-images",
        action=flag,
        default=None,
        help="list the main content's images in the Article's `images` (default: no)",
    )
    group.add_argument(
        "--favor",
        choices=("precision", "recall", "balanced"),
        default=None,
        help="less noise (precision), more text (recall) or balanced (default)",
    )
    group.add_argument(
        "--target-language",
        type=_language,
        default=None,
        metavar="CODE",
        help="ISO 639-1 code: a page in another language fails with language_mismatch",
    )


class _Version(argparse.Action):
    """``--version``: the installed package's version (looked up only when asked)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, nargs=0)
        self.help = "print the version and exit"

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from importlib.metadata import version

        print(f"article-ingest {version('article-ingest')}")
        parser.exit()


#: ``PageType`` values (here so that building the parser imports no pydantic; a unit test holds
#: the two equal).
PAGE_TYPES = (
    "article",
    "forum",
    "product",
    "collection",
    "listing",
    "documentation",
    "service",
    "other",
)


def add_article_filters(target: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """``--language``, ``--site``, ``--page-type``, ``--since`` and ``--until``, checked as the
    API checks them (``search``, ``list`` and ``export``)."""
    target.add_argument(
        "--language",
        type=_language,
        metavar="CODE",
        help="only articles in this ISO 639-1 language (en, fr)",
    )
    target.add_argument(
        "--site",
        type=_text("--site", MAX_SITE_CHARS),
        help="only articles from this hostname or site name",
    )
    target.add_argument(
        "--page-type", choices=PAGE_TYPES, help="only pages of this type (page_type)"
    )
    target.add_argument(
        "--since", type=_date, metavar="YYYY-MM-DD", help="published on or after this date"
    )
    target.add_argument(
        "--until", type=_date, metavar="YYYY-MM-DD", help="published on or before this date"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    from article_ingest import discover_cli, listing_cli, versions_cli

    parser = argparse.ArgumentParser(
        prog="article-ingest", description="Fetch web pages safely and keep their clean text."
    )
    verbose_help = "log progress (and the traceback of an unexpected failure) to stderr"
    parser.add_argument("-v", "--verbose", action="store_true", help=verbose_help)
    parser.add_argument("--version", action=_Version)
    commands = parser.add_subparsers(dest="command", required=True)

    # -v after the subcommand too; SUPPRESS keeps a -v given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=verbose_help
    )
    data = argparse.ArgumentParser(add_help=False, parents=[common])
    data.add_argument(
        "--data-dir",
        metavar="DIR",
        help="data directory (default: $ARTICLE_INGEST_DATA_DIR or .data)",
    )

    options = argparse.ArgumentParser(add_help=False)
    _add_option_arguments(options)

    extract = commands.add_parser(
        "extract", parents=[common, options], help="extract local HTML files (no network)"
    )
    extract.add_argument("paths", nargs="+", help=".html or .html.gz files, or directories")
    extract.add_argument("--url", help="the URL the file was served from (for metadata)")
    extract.add_argument("--content-type", help="the HTTP Content-Type it was served with")
    extract.add_argument(
        "--jobs",
        type=int,
        default=0,
        help="extraction worker processes (default: one per available core)",
    )
    extract.add_argument(
        "--format",
        choices=("json", "txt", "markdown"),
        default="json",
        help="json: one Article per line (default); txt: its plain text (title first);"
        " markdown: the main content with links and images. On stdout, each txt or markdown"
        " document follows a '==> FILE <==' line",
    )
    extract.add_argument(
        "--output-dir",
        metavar="DIR",
        help="write one file per input in DIR (created if missing), named after the input"
        " (page.html -> page.json, page.txt or page.md) instead of printing",
    )
    extract.set_defaults(func=cmd_extract)

    ingest = commands.add_parser(
        "ingest", parents=[data, options], help="fetch, extract, store, index"
    )
    ingest.add_argument("urls", nargs="*", help="URLs to ingest")
    ingest.add_argument("--urls-file", help="file with one URL per line ('-' for stdin)")
    ingest.add_argument("--json", action="store_true", help="one Article JSON line per URL")
    discover_cli.add_arguments(ingest)
    versions_cli.add_freshness_arguments(ingest)
    ingest.set_defaults(func=cmd_ingest)
    versions_cli.add_command(commands, data)

    get = commands.add_parser("get", parents=[data], help="print a stored article")
    get.add_argument(
        "id",
        metavar="ID_OR_URL",
        help="the article's id (32 hex digits, as ingest and list print it) or its URL",
    )
    get.set_defaults(func=cmd_get)
    listing_cli.register(commands, [data])

    batch = commands.add_parser("batch", parents=[data], help="how far a batch got")
    batch.add_argument("id", help="the batch id (b_ + 24 hex digits, as ingest --json prints it)")
    batch.add_argument(
        "--limit",
        type=_bounded("--limit", 1, 1000),
        default=100,
        metavar="N",
        help="items to print, 1 to 1000 (default: 100)",
    )
    batch.add_argument("--cursor", help="next_cursor of the previous page")
    batch.set_defaults(func=cmd_batch)

    search = commands.add_parser("search", parents=[data], help="keyword search")
    search.add_argument(
        "query",
        type=_text("the query", MAX_QUERY_CHARS),
        help='words (any may match), "a phrase", a prefix* (see docs/search.md)',
    )
    add_article_filters(search)
    search.add_argument(
        "--limit",
        type=_bounded("--limit", 1, MAX_SEARCH_LIMIT),
        default=10,
        metavar="N",
        help=f"most hits to print, 1 to {MAX_SEARCH_LIMIT} (default: 10)",
    )
    search.set_defaults(func=cmd_search)

    serve = commands.add_parser("serve", parents=[data], help="local HTTP API (like sam local)")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1). A non-loopback address such as"
        " 0.0.0.0 is reachable from other machines, and the API has no authentication",
    )
    serve.add_argument(
        "--port",
        type=_bounded("--port", 0, 65535),
        default=3000,
        metavar="PORT",
        help="TCP port to listen on (default: 3000; 0: any free port)",
    )
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``article-ingest`` console script."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else os.environ.get("LOG_LEVEL", "WARNING").upper(),
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        code: int = args.func(args)
    except CliError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        message = _user_facing(error)
        if message is None or args.verbose:
            raise
        print(f"error: {message} (run with -v for details)", file=sys.stderr)
        return 1
    return code


def _user_facing(error: Exception) -> str | None:
    """One line for a failure of the environment (disk, database, refused input); None for a
    bug, which keeps its traceback."""
    import sqlite3

    from core.errors import DomainError

    if isinstance(error, DomainError):
        return error.message
    if isinstance(error, OSError):
        where = f": {error.filename}" if error.filename else ""
        return f"{error.strerror or error}{where}"
    if isinstance(error, sqlite3.Error):
        return f"database error: {error}"
    return None


if __name__ == "__main__":
    # ``python -m article_ingest.cli``: run the importable module, whose CliError is the one
    # the sibling command modules (discover_cli, listing_cli) raise.
    from article_ingest.cli import main as importable_main

    sys.exit(importable_main())
