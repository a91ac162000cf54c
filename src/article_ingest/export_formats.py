"""How ``article-ingest list`` and ``export`` write articles: JSON lines, or CSV with a fixed
column set whose cells a spreadsheet cannot mistake for formulas."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from core.models import Article

#: The CSV columns, in order (``text`` is appended with ``--with-text``). Documented in the
#: README; a consumer may rely on the names and the order.
CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "url",
    "final_url",
    "status",
    "title",
    "author",
    "date",
    "language",
    "sitename",
    "hostname",
    "word_count",
    "duplicate_of",
    "fetched_at",
    "updated_at",
    "error_code",
    "error_message",
)
TEXT_COLUMN = "text"

#: A cell starting with one of these is a formula (or a DDE call) to Excel, LibreOffice and
#: Google Sheets: OWASP's list, tab and carriage return included.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """``value`` as a spreadsheet shows it, never evaluates it: a leading ``'`` before a
    formula start (OWASP's CSV-injection advice)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_row(article: Article, with_text: bool) -> list[str]:
    """The CSV cells of ``article``: empty for a missing value, every text cell made safe."""
    error = article.error
    values: list[object] = [
        article.id,
        article.url,
        article.final_url,
        article.status.value,
        article.title,
        article.author,
        article.date,
        article.language,
        article.sitename,
        article.hostname,
        article.word_count,
        article.duplicate_of,
        article.fetched_at.isoformat() if article.fetched_at else None,
        article.updated_at.isoformat() if article.updated_at else None,
        error.code if error else None,
        error.message if error else None,
    ]
    if with_text:
        values.append(article.text)
    return ["" if value is None else safe_cell(str(value)) for value in values]


def write_jsonl(articles: Iterable[Article], out: TextIO, with_text: bool) -> int:
    """One Article JSON object per line (``text`` only ``with_text``); how many were written."""
    exclude = None if with_text else {"text"}
    count = 0
    for article in articles:
        out.write(article.model_dump_json(exclude=exclude) + "\n")
        count += 1
    return count


def write_csv(articles: Iterable[Article], out: TextIO, with_text: bool) -> int:
    """A header row, then one row per article (RFC 4180: CRLF rows, a cell holding a comma, a
    quote or a line break quoted); how many articles were written."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*CSV_COLUMNS, TEXT_COLUMN] if with_text else CSV_COLUMNS)
    count = 0
    for article in articles:
        writer.writerow(csv_row(article, with_text))
        count += 1
    return count


Writer = Callable[[Iterable["Article"], TextIO, bool], int]
WRITERS: dict[str, Writer] = {"jsonl": write_jsonl, "csv": write_csv}
