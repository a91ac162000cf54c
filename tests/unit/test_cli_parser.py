"""The argument parser: every argument explained, -v anywhere, the loopback test of serve."""

from __future__ import annotations

import argparse

import pytest

from article_ingest.cli import build_parser, is_loopback


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


@pytest.mark.parametrize("name", ["extract", "ingest", "get", "search", "serve"])
def test_every_argument_has_help(name: str) -> None:
    command = subcommands(build_parser())[name]
    for action in command._actions:
        assert action.help, (name, action.dest)
        assert action.help != argparse.SUPPRESS, (name, action.dest)


def test_verbose_before_or_after_the_subcommand() -> None:
    parser = build_parser()
    assert parser.parse_args(["-v", "get", "x"]).verbose is True
    assert parser.parse_args(["get", "x", "-v"]).verbose is True
    assert parser.parse_args(["get", "-v", "x"]).verbose is True
    assert parser.parse_args(["get", "x"]).verbose is False


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LOCALHOST.", True),
        ("0.0.0.0", False),
        ("::", False),
        ("", False),
        ("192.168.1.20", False),
        ("myhost.lan", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
