"""``list``/``export`` arguments and what ``get`` accepts, without running a command."""

from __future__ import annotations

import argparse

import pytest

from article_ingest.cli import PAGE_TYPES, CliError, build_parser
from article_ingest.listing_cli import STATUSES, article_key
from core.ids import article_id
from core.models import ArticleStatus, PageType


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


@pytest.mark.parametrize("name", ["list", "export", "get"])
def test_every_argument_has_help(name: str) -> None:
    command = subcommands(build_parser())[name]
    for action in command._actions:
        assert action.help, (name, action.dest)
        assert action.help != argparse.SUPPRESS, (name, action.dest)


def test_the_status_choices_are_the_article_statuses() -> None:
    assert tuple(status.value for status in ArticleStatus) == STATUSES


def test_the_page_type_choices_are_the_page_types() -> None:
    assert tuple(page_type.value for page_type in PageType) == PAGE_TYPES


def test_list_and_export_share_the_listing_filters() -> None:
    parser = build_parser()
    filters = ["--status", "failed", "--language", "fr", "--site", "a.example"]
    filters += ["--page-type", "forum"]
    dates = ["--since", "2024-01-01", "--until", "2024-02-29"]
    listed = parser.parse_args(["list", *filters, *dates, "--limit", "100"])
    exported = parser.parse_args(["export", "--format", "csv", *filters, *dates, "--with-text"])
    for args in (listed, exported):
        assert (args.status, args.language, args.site) == ("failed", "fr", "a.example")
        assert args.page_type == "forum"
        assert (args.since, args.until) == ("2024-01-01", "2024-02-29")
    assert (listed.limit, listed.all, exported.with_text) == (100, False, True)
    assert parser.parse_args(["list"]).limit == 20  # the API's default page


def test_an_id_is_looked_up_as_given() -> None:
    assert article_key("0123456789abcdef0123456789abcdef") == "0123456789abcdef0123456789abcdef"


def test_a_url_is_its_ingestion_id() -> None:
    url = "https://Example.org:443/story?utm_source=feed&b=2&a=1#comments"
    assert article_key(url) == article_id(url) == article_id("https://example.org/story?a=1&b=2")


@pytest.mark.parametrize("value", ["x", "0123", "ftp://example.org/a", "example.org/a", "A" * 32])
def test_anything_else_is_a_usage_error(value: str) -> None:
    with pytest.raises(CliError) as raised:
        article_key(value)
    assert raised.value.code == 2
    assert "neither an article id (32 hex digits) nor an http(s) URL" in str(raised.value)
