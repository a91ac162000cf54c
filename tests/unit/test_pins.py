"""The libraries whose internals the code uses are pinned alike everywhere, and Powertools'
route tables are checked where ``handlers.problems`` reads them."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import aws_lambda_powertools.shared.version
import htmldate
import py3langid
import pytest
import trafilatura
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from core.pins import PINNED, InternalsChanged, VersionMismatch, require
from handlers import problems

ROOT = Path(__file__).resolve().parents[2]


def _pins(text: str) -> dict[str, str]:
    return dict(re.findall(r"^\s*\"?([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\";\\]+)", text, re.M))


@pytest.mark.parametrize(
    "source", ["pyproject.toml", "requirements/runtime.lock", "requirements/dev.lock"]
)
def test_every_pin_agrees_with_the_checked_versions(source: str) -> None:
    pins = _pins((ROOT / source).read_text("utf-8"))
    assert {name: pins.get(name) for name in PINNED} == PINNED


def test_the_installed_versions_are_the_pinned_ones() -> None:
    assert {
        "trafilatura": trafilatura.__version__,
        "htmldate": htmldate.__version__,
        "aws-lambda-powertools": aws_lambda_powertools.shared.version.VERSION,
        "py3langid": py3langid.__version__,
    } == PINNED


def test_require_names_the_expected_and_the_found_version() -> None:
    require("htmldate", PINNED["htmldate"], "a.module")
    with pytest.raises(VersionMismatch, match=r"htmldate 1\.11\.0, but htmldate 1\.12\.0 is"):
        require("htmldate", "1.12.0", "a.module")


def test_another_powertools_version_fails_the_problems_module_at_import(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(aws_lambda_powertools.shared.version, "VERSION", "3.99.0")
    monkeypatch.delitem(sys.modules, "handlers.problems")
    with pytest.raises(VersionMismatch, match=r"aws-lambda-powertools 3\.99\.0 is installed"):
        importlib.import_module("handlers.problems")


def test_allowed_methods_reads_the_resolvers_routes() -> None:
    app = APIGatewayHttpResolver()
    app.get("/articles/<article_id>")(lambda article_id: {})
    app.delete("/articles/<article_id>")(lambda article_id: {})
    app.post("/articles")(lambda: {})
    assert problems.allowed_methods(app, "/articles/abc") == ["DELETE", "GET"]
    assert problems.allowed_methods(app, "/articles") == ["POST"]


@pytest.mark.parametrize(
    "app",
    [
        SimpleNamespace(),  # tables renamed away
        SimpleNamespace(_static_routes={}, _dynamic_routes=[]),  # not lists
        SimpleNamespace(_static_routes=[SimpleNamespace(method="GET")], _dynamic_routes=[]),
        SimpleNamespace(
            _static_routes=[],
            _dynamic_routes=[SimpleNamespace(methods=["GET"], rule=re.compile("x"))],
        ),
    ],
)
def test_changed_route_tables_fail_loudly(app: object) -> None:
    with pytest.raises(InternalsChanged, match="_static_routes/_dynamic_routes"):
        problems.allowed_methods(app, "/articles")  # type: ignore[arg-type]
