"""trafilatura's and htmldate's internals are guarded: another version, another signature or
another answer fails loudly instead of quietly storing every page as ``empty_extraction``."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import htmldate
import pytest
import trafilatura
import trafilatura.core
import trafilatura.json_metadata
from lxml.html import HtmlElement  # type: ignore[import-untyped]

from core.extract import dates, metadata, text
from core.extract.assemble import assemble
from core.extract.loading import load_html
from core.ids import article_id
from core.pins import InternalsChanged, VersionMismatch
from core.ports import PageInput

URL = "https://www.example.org/fr/gaza"


def _fresh_import(monkeypatch: pytest.MonkeyPatch, name: str) -> ModuleType:
    """Import ``name`` anew (the loaded module comes back after the test, in ``sys.modules``
    and as its package's attribute)."""
    package, _, child = name.rpartition(".")
    monkeypatch.setattr(sys.modules[package], child, sys.modules[name])
    monkeypatch.delitem(sys.modules, name)
    return importlib.import_module(name)


@pytest.mark.parametrize(
    ("library", "module"),
    [
        (trafilatura, "core.extract.loading"),
        (trafilatura, "core.extract.byline"),
        (trafilatura, "core.extract.metadata"),
        (trafilatura, "core.extract.text"),
        (trafilatura, "core.extract.article"),
        (htmldate, "core.extract.dates"),
    ],
)
def test_another_library_version_fails_at_import_naming_both_versions(
    monkeypatch: pytest.MonkeyPatch, library: ModuleType, module: str
) -> None:
    expected = library.__version__
    monkeypatch.setattr(library, "__version__", "9.8.7")
    with pytest.raises(VersionMismatch) as raised:
        _fresh_import(monkeypatch, module)
    message = str(raised.value)
    assert f"{library.__name__} {expected}" in message
    assert f"{library.__name__} 9.8.7 is installed" in message
    assert module in message


def test_the_pinned_versions_import(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _fresh_import(monkeypatch, "core.extract.text").main_text is not None


def test_a_sequence_helper_with_other_parameters_fails_at_import(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def changed(tree: Any, options: Any, url: Any = None, *, budget: int = 0) -> Any:
        raise AssertionError("never called")

    monkeypatch.setattr(trafilatura.core, "trafilatura_sequence", changed)
    with pytest.raises(InternalsChanged, match="trafilatura_sequence takes"):
        _fresh_import(monkeypatch, "core.extract.text")


@pytest.mark.parametrize("reader", ["extract_json", "extract_json_parse_error"])
def test_a_json_ld_reader_with_other_parameters_fails_at_import(
    monkeypatch: pytest.MonkeyPatch, reader: str
) -> None:
    def changed(schema: Any, metadata: Any, url: Any) -> Any:
        raise AssertionError("never called")

    monkeypatch.setattr(trafilatura.json_metadata, reader, changed)
    with pytest.raises(InternalsChanged, match=f"{reader} takes"):
        _fresh_import(monkeypatch, "core.extract.metadata")


_JSON_LD_PAGE = (
    '<html><head><script type="application/ld+json">{"@context": "https://schema.org",'
    ' "@type": "NewsArticle",'
    ' "headline": "Harbour ferry", "author": {"@type": "Person", "name": "Ada Lovelace"}}'
    "</script></head><body><p>Text.</p></body></html>"
)


def test_a_json_ld_reader_answering_something_else_fails_loudly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Before, the reader's call sat in a broad ``except``: a changed answer was logged at
    debug level and the page lost its JSON-LD metadata without a word."""
    monkeypatch.setattr(metadata, "extract_json", lambda schema, found: {"author": "x"})
    with pytest.raises(InternalsChanged, match="JSON-LD reader answered dict"):
        metadata.declared(load_html(_JSON_LD_PAGE), URL)


def test_a_block_the_json_ld_reader_trips_on_keeps_what_earlier_blocks_said(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As trafilatura's ``extract_metadata``: the reader's error on malformed data stops the
    reading, it does not fail the page."""
    real = metadata.extract_json
    calls: list[object] = []

    def trips_on_the_second(schema: Any, found: Any) -> Any:
        calls.append(schema)
        if len(calls) == 2:
            raise KeyError("@graph")
        return real(schema, found)

    monkeypatch.setattr(metadata, "extract_json", trips_on_the_second)
    second = '<script type="application/ld+json">{"@type": "WebPage", "name": "Other"}</script>'
    page = _JSON_LD_PAGE.replace("</head>", f"{second}{second}</head>")
    found = metadata.declared(load_html(page), URL)
    assert found.author == "Ada Lovelace"
    assert len(calls) == 2  # the third block is not read


def _page(pages_dir: Path) -> PageInput:
    body = (pages_dir / "presstv-fr-gaza.html").read_bytes()
    return PageInput(body=body, url=URL, article_id=article_id(URL))


@pytest.mark.parametrize(
    "answer",
    [
        "three items",  # not a tuple
        ("body", "text", "comments"),  # a 3-tuple
        (None, "text", None, ""),  # no elements
        (HtmlElement(), b"text", HtmlElement(), ""),  # bytes, not text
    ],
)
def test_a_changed_sequence_answer_fails_the_page_loudly(
    monkeypatch: pytest.MonkeyPatch, pages_dir: Path, answer: object
) -> None:
    monkeypatch.setattr(text, "trafilatura_sequence", lambda *_: answer)
    with pytest.raises(InternalsChanged, match="trafilatura_sequence answered"):
        assemble(_page(pages_dir))


def test_a_page_trafilatura_itself_discards_gives_only_its_declared_description(
    monkeypatch: pytest.MonkeyPatch, pages_dir: Path
) -> None:
    """As in ``bare_extraction``, trafilatura's own TypeError/ValueError on a page is "no text":
    the page's declared description stands in for it (``core.extract.article``), nothing of
    the body."""

    def discards(*_: object) -> object:
        raise ValueError("trafilatura gave up on this page")

    whole = assemble(_page(pages_dir))
    monkeypatch.setattr(text, "trafilatura_sequence", discards)
    article = assemble(_page(pages_dir))
    assert whole is not None
    assert whole.description
    assert article is not None
    assert article.text == whole.description


def test_the_real_sequence_answer_passes_the_check(pages_dir: Path) -> None:
    article = assemble(_page(pages_dir))
    assert article is not None
    assert article.word_count > 100


def test_a_date_step_answering_something_else_than_a_string_fails_loudly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import date

    monkeypatch.setattr(dates, "extract_url_date", lambda *_: date(2024, 5, 1))
    tree = load_html("<html><body><p>Nothing dated here.</p></body></html>")
    with pytest.raises(InternalsChanged, match="htmldate step answered a date"):
        dates.declared_date(tree, "https://e.example/2024/05/01/story")
