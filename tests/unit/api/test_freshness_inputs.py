"""The freshness fields of POST /articles: checked strictly, and a key still matches the
bodies that never named them."""

from __future__ import annotations

from typing import Any

import pytest
from tests.support.page_server import PageServer
from tests.unit.api.conftest import Call, assert_problem

FERRY = "harbour-solar-ferry-en.html"


@pytest.mark.parametrize(
    "extra",
    [
        {"max_age": -1},
        {"max_age": "60"},
        {"max_age": 1.5},
        {"max_age": True},
        {"max_age": 10**9},
        {"force": "true"},
        {"force": 1},
    ],
)
def test_bad_freshness_fields_are_422(
    api: Call, page_server: PageServer, extra: dict[str, Any]
) -> None:
    answer = api("POST", "/articles", json_body={"urls": [page_server.url(FERRY)], **extra})
    assert_problem(answer, 422, "validation_error")


def test_an_idempotency_key_ignores_default_freshness_fields(
    api: Call, page_server: PageServer
) -> None:
    url = page_server.url(FERRY)
    key = {"Idempotency-Key": "fresh-key"}
    first = api("POST", "/articles", json_body={"urls": [url], "async": True}, headers=key)
    same = api(
        "POST",
        "/articles",
        json_body={"urls": [url], "async": True, "max_age": None, "force": False},
        headers=key,
    )
    assert (first.status, same.status) == (202, 202)
    assert same.headers.get("idempotent-replayed") == "true"
    other = api(
        "POST", "/articles", json_body={"urls": [url], "async": True, "force": True}, headers=key
    )
    assert_problem(other, 422, "idempotency_key_reused")


def test_a_whole_float_is_an_integer(api: Call, page_server: PageServer) -> None:
    body = {"urls": [page_server.url(FERRY)], "async": True, "max_age": 60.0}
    assert api("POST", "/articles", json_body=body).status == 202
