"""Unknown routes and methods, the OpenAPI document and Swagger UI."""

from __future__ import annotations

import json

from tests.unit.api.conftest import Call, assert_problem


def test_unknown_route_is_a_404_problem(api: Call) -> None:
    problem = assert_problem(api("GET", "/nothing/here"), 404, "route_not_found")
    assert "GET /nothing/here" in problem["detail"]


def test_unsupported_method_is_a_405_with_allow(api: Call) -> None:
    answer = api("DELETE", "/articles")
    assert_problem(answer, 405, "method_not_allowed")
    assert answer.headers["allow"] == "GET, POST"
    assert api("PUT", "/articles/" + "a" * 32).headers["allow"] == "GET"


def test_every_answer_is_nosniff(api: Call) -> None:
    for target in ("/articles", "/openapi.json", "/nothing"):
        assert api("GET", target).headers["x-content-type-options"] == "nosniff"


def test_openapi_document_describes_the_api(api: Call) -> None:
    answer = api("GET", "/openapi.json")
    assert answer.status == 200
    document = json.loads(answer.body)
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/articles",
        "/articles/{article_id}",
        "/articles/{article_id}/text",
        "/articles/{article_id}/raw",
        "/articles/{article_id}/versions",
        "/search",
        "/discover",
        "/batches/{batch_id}",
    }
    post = document["paths"]["/articles"]["post"]
    assert {"200", "202", "413", "422"} <= set(post["responses"])
    problem_schema = post["responses"]["422"]["content"]["application/problem+json"]["schema"]
    assert problem_schema == {"$ref": "#/components/schemas/Problem"}
    header = next(p for p in post["parameters"] if p["in"] == "header")
    assert header["name"].lower() == "idempotency-key"


def test_swagger_ui(api: Call) -> None:
    answer = api("GET", "/docs")
    assert answer.status == 200
    assert answer.content_type.startswith("text/html")
    assert b"swagger" in answer.body.lower()
