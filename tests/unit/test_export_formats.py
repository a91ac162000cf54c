"""The CSV and JSON-lines writers of ``list``/``export``: a fixed header, cells a spreadsheet
shows as text, line breaks that stay inside their cell."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from article_ingest.export_formats import CSV_COLUMNS, safe_cell, write_csv, write_jsonl
from core.models import Article, ArticleError, ArticleStatus


def article(**fields: object) -> Article:
    base: dict[str, object] = {"id": "a" * 32, "url": "https://example.org/a"}
    return Article.model_validate({**base, **fields})


@pytest.mark.parametrize(
    "hostile",
    ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1", '=HYPERLINK("x")'],
)
def test_a_formula_start_is_shown_as_text(hostile: str) -> None:
    assert safe_cell(hostile) == "'" + hostile


@pytest.mark.parametrize("plain", ["", "Plain title", "2024-01-01", "https://x/=y", "'quoted"])
def test_other_cells_are_unchanged(plain: str) -> None:
    assert safe_cell(plain) == plain


def test_csv_rows_read_back_with_every_hostile_cell_defused() -> None:
    stored = article(
        title="=cmd|' /C calc'!A0",
        author="@attacker",
        sitename='Comma, "Quotes"',
        text="First line, with a comma\nsecond line\r\n=third",
        status=ArticleStatus.FAILED,
        error=ArticleError(code="http_error", message="-HTTP 404"),
        fetched_at=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        word_count=7,
    )
    out = io.StringIO(newline="")
    assert write_csv([stored, article(id="b" * 32)], out, with_text=True) == 2
    rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert rows[0] == [*CSV_COLUMNS, "text"]
    assert len(rows) == 3  # the line breaks inside the text did not make rows
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["title"] == "'=cmd|' /C calc'!A0"
    assert first["author"] == "'@attacker"
    assert first["sitename"] == 'Comma, "Quotes"'
    assert first["text"] == "First line, with a comma\nsecond line\r\n=third"
    assert (first["status"], first["error_code"], first["error_message"]) == (
        "failed",
        "http_error",
        "'-HTTP 404",
    )
    assert (first["word_count"], first["fetched_at"]) == ("7", "2024-01-02T03:04:05+00:00")
    second = dict(zip(rows[0], rows[2], strict=True))
    assert (second["title"], second["error_code"], second["text"]) == ("", "", "")


def test_csv_without_text_has_the_fixed_columns_only() -> None:
    out = io.StringIO(newline="")
    write_csv([article(text="body")], out, with_text=False)
    header, row = csv.reader(io.StringIO(out.getvalue(), newline=""))
    assert tuple(header) == CSV_COLUMNS
    assert "body" not in row
    assert out.getvalue().endswith("\r\n")


def test_jsonl_is_the_article_without_its_text_unless_asked() -> None:
    stored = article(title="=1+1", text="body\nmore")
    out = io.StringIO()
    assert write_jsonl([stored, stored], out, with_text=False) == 2
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert "text" not in json.loads(lines[0])
    assert json.loads(lines[0])["title"] == "=1+1"  # JSON is not a spreadsheet: kept as is
    out = io.StringIO()
    write_jsonl([stored], out, with_text=True)
    assert Article.model_validate_json(out.getvalue()) == stored
