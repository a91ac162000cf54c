"""The ``article-ingest`` command line: extract, ingest, get, search, serve."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

# pydantic and the models take most of a second to import: `extract` needs neither (its
# workers build the JSON), so every other command imports them when it runs.
if TYPE_CHECKING:
    from pydantic import BaseModel

    from core.extraction_pool import PoolLimits
    from core.services import Services
    from core.settings import Settings
    from core.submission import SubmissionResult

logger = logging.getLogger(__name__)


def _print_json(model: BaseModel | list[BaseModel]) -> None:
    if isinstance(model, list):
        print(json.dumps([m.model_dump(mode="json") for m in model], ensure_ascii=False, indent=2))
    else:
        print(model.model_dump_json(indent=2))


def _settings(args: argparse.Namespace) -> Settings:
    from core.settings import Settings

    overrides: dict[str, object] = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    return Settings(**overrides)  # type: ignore[arg-type]


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
    """One Article JSON line per input file, in input order; failures are lines with an
    ``error``. Files are extracted by ``--jobs`` worker processes (default: every core), each
    page within the extraction budget; ``--jobs 1`` extracts in this process, which is faster
    than one worker (no second interpreter to start: ``python -m bench.extract_cli``) but has
    no budget (the guards before parsing still apply)."""
    from core.offline import expand_paths, extract_line

    paths = list(expand_paths(Path(p) for p in args.paths))
    if args.jobs == 1:
        lines = (extract_line(path, args.url, args.content_type) for path in paths)
        return _print_lines(lines, len(paths))
    from core.errors import ExtractionFailed
    from core.extraction_pool import ExtractionPool, available_cores
    from core.offline import failure, page_url

    jobs = max(1, args.jobs or available_cores())
    pool = ExtractionPool(_extraction_limits(jobs))

    def extract(path: Path) -> tuple[bool, str]:
        try:
            return pool.call(extract_line, path, args.url, args.content_type)
        except ExtractionFailed as error:
            result = failure(path, page_url(path, args.url), error.code, f"{path}: {error.message}")
            return True, result.model_dump_json(exclude_none=False)

    try:
        # one thread per worker, and one more so that a worker never waits for its next file
        with ThreadPoolExecutor(jobs + 1) as threads:
            return _print_lines(threads.map(extract, paths), len(paths))
    finally:
        pool.close()


def _print_lines(lines: Iterable[tuple[bool, str]], total: int) -> int:
    """Print each (failed, JSON line) as it comes; the exit code of ``extract``."""
    failed = 0
    for page_failed, line in lines:
        failed += page_failed
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
    if failed:
        print(f"{failed} of {total} file(s) yielded no article", file=sys.stderr)
    return 1 if failed or not total else 0


def _read_urls(args: argparse.Namespace) -> list[str]:
    """The URLs of the command line and ``--urls-file`` (blank and ``#`` lines skipped);
    duplicates are collapsed by article id in ``core.submission``."""
    urls = list(args.urls)
    if args.urls_file:
        text = sys.stdin.read() if args.urls_file == "-" else Path(args.urls_file).read_text()
        urls += [line.strip() for line in text.splitlines()]
    return [url for url in urls if url and not url.startswith("#")]


def _final(services: Services, result: SubmissionResult) -> SubmissionResult:
    """``result`` with the article as stored now (after the drain indexed it)."""
    if result.id is None or result.error is not None:
        return result
    stored = services.articles.get(result.id)
    if stored is None:
        return result
    return result.model_copy(update={"article": stored, "status": stored.status.value})


def _print_result(result: SubmissionResult, as_json: bool) -> None:
    article = result.article
    if as_json:
        print(
            article.model_dump_json(exclude={"text"})
            if article is not None
            else result.model_dump_json(exclude={"article"})
        )
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
    from article_ingest.progress import Progress
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
    services = Services(_settings(args))
    discovered, discovery_failed = discover_cli.discover_all(services, args)
    urls += discovered
    if not urls:
        print("nothing new to ingest", file=sys.stderr)
        return 1 if discovery_failed else 0
    progress = Progress(len(urls), "ingest")

    def advance(result: SubmissionResult) -> None:
        progress.advance(failed=result.status in ("failed", "rejected"))

    results = Submitter(services).ingest(urls, on_result=advance)
    progress.close()
    LocalRuntime(services).drain()
    final = [_final(services, result) for result in results]
    counts = Counter(
        "rejected" if r.status == "rejected" else "failed" if r.status == "failed" else "ok"
        for r in final
    )
    for result in final:
        _print_result(result, args.json)
    print(
        f"{counts['ok']} ok, {counts['failed']} failed, {counts['rejected']} rejected,"
        f" data in {services.settings.data_dir}",
        file=sys.stderr,
    )
    return 1 if counts["failed"] or counts["rejected"] or discovery_failed else 0


def cmd_get(args: argparse.Namespace) -> int:
    """Print one stored Article."""
    from core.services import Services

    article = Services(_settings(args)).articles.get(args.id)
    if article is None:
        print(
            json.dumps({"error": {"code": "not_found", "message": f"no article {args.id}"}}),
            file=sys.stderr,
        )
        return 1
    _print_json(article)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    """Print ranked search hits as JSON."""
    from core.services import Services

    hits = Services(_settings(args)).search_index.search(
        args.query,
        language=args.language,
        site=args.site,
        since=args.since,
        until=args.until,
        limit=args.limit,
    )
    _print_json(list(hits))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the HTTP API locally on the embedded default."""
    from article_ingest.serve import run

    run(args.host, args.port, _settings(args))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    from article_ingest import discover_cli

    parser = argparse.ArgumentParser(
        prog="article-ingest", description="Fetch web pages safely and keep their clean text."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    commands = parser.add_subparsers(dest="command", required=True)

    data = argparse.ArgumentParser(add_help=False)
    data.add_argument(
        "--data-dir", help="data directory (default: $ARTICLE_INGEST_DATA_DIR or .data)"
    )

    extract = commands.add_parser("extract", help="extract local HTML files (no network)")
    extract.add_argument("paths", nargs="+", help=".html or .html.gz files, or directories")
    extract.add_argument("--url", help="the URL the file was served from (for metadata)")
    extract.add_argument("--content-type", help="the HTTP Content-Type it was served with")
    extract.add_argument(
        "--jobs",
        type=int,
        default=0,
        help="extraction worker processes (default: one per available core; 1: in this process)",
    )
    extract.set_defaults(func=cmd_extract)

    ingest = commands.add_parser("ingest", parents=[data], help="fetch, extract, store, index")
    ingest.add_argument("urls", nargs="*", help="URLs to ingest")
    ingest.add_argument("--urls-file", help="file with one URL per line ('-' for stdin)")
    ingest.add_argument("--json", action="store_true", help="one Article JSON line per URL")
    discover_cli.add_arguments(ingest)
    ingest.set_defaults(func=cmd_ingest)

    get = commands.add_parser("get", parents=[data], help="print a stored article")
    get.add_argument("id")
    get.set_defaults(func=cmd_get)

    search = commands.add_parser("search", parents=[data], help="keyword search")
    search.add_argument("query")
    search.add_argument("--language")
    search.add_argument("--site")
    search.add_argument("--since", help="YYYY-MM-DD")
    search.add_argument("--until", help="YYYY-MM-DD")
    search.add_argument("--limit", type=int, default=10)
    search.set_defaults(func=cmd_search)

    serve = commands.add_parser("serve", parents=[data], help="local HTTP API (like sam local)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=3000)
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``article-ingest`` console script."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else os.environ.get("LOG_LEVEL", "WARNING").upper(),
        format="%(levelname)s %(name)s: %(message)s",
    )
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
