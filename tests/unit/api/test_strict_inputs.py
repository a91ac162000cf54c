"""What the OpenAPI document declares is what the API accepts: the listing cursor's shape
(every cursor either backend issues fits it; a cursor that does not is ``invalid_cursor``)
and ``async`` as a JSON boolean only."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from tests.e2e.schemathesis_hooks import LISTING_CURSORS
from tests.unit.api.conftest import Call, assert_problem

from core.adapters.aws import dynamodb_listing
from core.adapters.aws.table_design import HOST_INDEX, SITE_INDEX
from core.adapters.local.article_store import encode_cursor
from core.ports import ArticleQuery
from handlers.api import CURSOR_FORMAT, openapi_json

LONGEST_SITE = "a" * 253


def declared_cursor_schema() -> dict[str, object]:
    document = json.loads(openapi_json())
    parameters = document["paths"]["/articles"]["get"]["parameters"]
    (cursor,) = (p for p in parameters if p["name"] == "cursor")
    (schema,) = (s for s in cursor["schema"]["anyOf"] if s.get("type") == "string")
    return dict(schema)


def test_the_document_declares_the_cursor_shape() -> None:
    schema = declared_cursor_schema()
    assert schema["maxLength"] == 2048
    assert schema["format"] == CURSOR_FORMAT
    assert re.fullmatch(str(schema["pattern"]), "WyIiLCAiYSJd")
    assert not re.fullmatch(str(schema["pattern"]), "WyIiLCAiYSJd=")  # not padded to 4


def _aws_cursor(query: ArticleQuery) -> str:
    lanes = dynamodb_listing.plan(query)
    for lane in lanes:
        lane.after = (f"2024-05-14#{'f' * 32}", "f" * 32)
        lane.more = True
    return dynamodb_listing.next_cursor(lanes, query)


@pytest.mark.parametrize(
    "cursor",
    [
        encode_cursor("", "0" * 32),
        encode_cursor("2024-05-14", "f" * 32),
        _aws_cursor(ArticleQuery()),
        _aws_cursor(ArticleQuery(status="indexed", since="2024-01-01", until="2024-12-31")),
        _aws_cursor(ArticleQuery(site=LONGEST_SITE, language="en")),
    ],
    ids=["local-undated", "local", "aws-all", "aws-status", "aws-longest-site"],
)
def test_every_issued_cursor_fits_the_declared_shape(cursor: str) -> None:
    schema = declared_cursor_schema()
    assert len(cursor) <= int(str(schema["maxLength"]))
    assert re.fullmatch(str(schema["pattern"]), cursor)


def test_aws_cursor_lanes_are_the_site_lanes() -> None:
    names = {lane.index for lane in dynamodb_listing.plan(ArticleQuery(site=LONGEST_SITE))}
    assert names == {HOST_INDEX, SITE_INDEX}  # the longest cursor: two lanes named by the site


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cursor=LISTING_CURSORS)
def test_cursors_the_fuzzer_sends_are_accepted(api: Call, cursor: str) -> None:
    answer = api("GET", f"/articles?limit=5&cursor={cursor}")
    assert answer.status == 200, answer.body
    assert answer.json() == {"items": [], "next_cursor": None}


@pytest.mark.parametrize(
    "cursor", ["!!!!", "abc", "abcde===", "a" * 2049, "WyIiLCAiYSJd%0A"], ids=repr
)
def test_a_cursor_of_the_wrong_shape_is_invalid_cursor(api: Call, cursor: str) -> None:
    problem = assert_problem(api("GET", f"/articles?cursor={cursor}"), 400, "invalid_cursor")
    assert "errors" not in problem


def test_a_bad_cursor_with_other_bad_parameters_lists_them_all(api: Call) -> None:
    answer = api("GET", "/articles?cursor=!!!!&limit=0")
    problem = assert_problem(answer, 422, "validation_error")
    assert {error["location"] for error in problem["errors"]} == {"query.cursor", "query.limit"}


@pytest.mark.parametrize("value", [0, 1, "true", "false", None, [], {}])
def test_async_is_a_json_boolean_only(api: Call, value: object) -> None:
    answer = api("POST", "/articles", json_body={"urls": ["ftp://a.example/x"], "async": value})
    problem = assert_problem(answer, 422, "validation_error")
    assert [error["location"] for error in problem["errors"]] == ["body.async"]


@pytest.mark.parametrize("value", [True, False])
def test_async_true_and_false_are_accepted(api: Call, value: bool) -> None:
    answer = api("POST", "/articles", json_body={"urls": ["ftp://a.example/x"], "async": value})
    assert answer.status == (202 if value else 200), answer.body
    assert answer.json()["mode"] == ("async" if value else "sync")
