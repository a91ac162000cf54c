"""RFC 9457 problem responses: the one place mapping errors to HTTP.

Every error the API answers is ``application/problem+json`` with a stable ``code`` (also the
last part of ``type``, an anchor in ``docs/api.md``). Request validation messages name the
offending field and never echo the input, Python types or file names.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.shared.version import VERSION as POWERTOOLS_VERSION
from pydantic import BaseModel, Field

from core.errors import DomainError
from core.pins import InternalsChanged, require

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
    from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

# ``allowed_methods`` reads the resolver's private route tables.
require("aws-lambda-powertools", POWERTOOLS_VERSION, __name__)

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://github.com/article-ingest/article-ingest/blob/main/docs/api.md#"

#: Domain error code → HTTP status; codes not listed fall back to 400 (a caller error).
STATUS_BY_CODE: dict[str, int] = {
    "invalid_input": 400,
    "too_many_urls": 422,
    "not_found": 404,
    "content_unavailable": 409,
    "version_conflict": 409,
    "request_in_progress": 409,
    "idempotency_key_reused": 422,
    # the page itself cannot be extracted within budget: the same bytes fail the same way
    "too_complex": 422,
    "extraction_timeout": 422,
    "extraction_crashed": 422,
    "storage_error": 503,
}
#: Seconds a client should wait before retrying, per domain error code (503s: 5).
RETRY_AFTER_BY_CODE: dict[str, str] = {"request_in_progress": "1"}
#: Headers every answer carries (JSON and problems are never sniffed into HTML).
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff"}
#: Where a listing cursor sits in a request; a cursor of the wrong shape is ``invalid_cursor``.
CURSOR_LOCATION = "query.cursor"
_CURSOR_DETAIL = "invalid cursor: pass the next_cursor of the previous page"


class FieldError(BaseModel):
    """One invalid field of a request."""

    location: str = Field(description="Where: `body.urls.3`, `query.limit`, `path.article_id`.")
    message: str = Field(description="What is wrong with it.")


class Problem(BaseModel):
    """An RFC 9457 problem detail."""

    type: str = Field(description="A URI naming the problem; stable per `code`.")
    title: str = Field(description="A short summary of the problem type.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong this time, for a person.")
    code: str = Field(description="Stable machine-readable code, e.g. `validation_error`.")
    instance: str | None = Field(default=None, description="The request path.")
    errors: list[FieldError] | None = Field(default=None, description="Invalid fields, if any.")


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    instance: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[str]:
    """A problem response."""
    body = Problem(
        type=TYPE_BASE + code,
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        code=code,
        instance=instance,
        errors=errors,
    )
    return Response(
        status_code=status,
        content_type=PROBLEM_JSON,
        body=body.model_dump_json(exclude_none=True),
        headers={**SECURITY_HEADERS, **(headers or {})},
    )


def problem_event_response(status: int, code: str, detail: str) -> dict[str, Any]:
    """A problem as an API Gateway HTTP API (v2) response, for answers given before routing."""
    body = Problem(
        type=TYPE_BASE + code,
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        code=code,
    )
    return {
        "statusCode": status,
        "headers": {"Content-Type": PROBLEM_JSON, **SECURITY_HEADERS},
        "body": body.model_dump_json(exclude_none=True),
        "isBase64Encoded": False,
    }


def problem_responses(*statuses: int) -> dict[int, OpenAPIResponse]:
    """OpenAPI entries for the problem responses a route may answer."""
    return {
        status: {
            "description": HTTPStatus(status).phrase + " (problem details)",
            "content": {PROBLEM_JSON: {"model": Problem}},
        }
        for status in statuses
    }


def _location(loc: Any) -> str:
    return ".".join(str(part) for part in loc) if isinstance(loc, list | tuple) else str(loc)


def _field_message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    if kind == "missing":
        return "this field is required"
    if kind == "extra_forbidden":
        return "unknown field; see the OpenAPI document at /openapi.json"
    message = str(error.get("msg") or kind or "invalid value")
    return message[:1].lower() + message[1:]


def _validation_problem(error: RequestValidationError, path: str) -> Response[str]:
    details = list(error.errors())
    for item in details:
        if item.get("type") == "json_invalid":
            reason = (item.get("ctx") or {}).get("error") or "JSON decode error"
            position = item["loc"][-1] if item.get("loc") else "?"
            return problem(
                400,
                "malformed_json",
                f"The request body is not valid JSON ({reason} at character {position}).",
                instance=path,
            )
    errors = [
        FieldError(location=_location(item.get("loc", ())), message=_field_message(item))
        for item in details
    ]
    if errors and all(e.location == CURSOR_LOCATION for e in errors):
        # Not even the shape of a cursor: the same mistake as any cursor we did not issue.
        return problem(400, "invalid_cursor", _CURSOR_DETAIL, instance=path)
    summary = "; ".join(f"{e.location}: {e.message}" for e in errors[:5])
    return problem(
        422,
        "validation_error",
        f"The request is invalid — {summary}.",
        instance=path,
        errors=errors,
    )


def _routes(app: APIGatewayHttpResolver) -> list[Any]:
    """The resolver's routes, from its private tables (Powertools is pinned: ``core.pins``),
    checked to be what this module reads: ``InternalsChanged`` otherwise."""
    tables = [getattr(app, name, None) for name in ("_static_routes", "_dynamic_routes")]
    routes = [route for table in tables if isinstance(table, list) for route in table]
    if not all(isinstance(table, list) for table in tables) or not all(
        isinstance(getattr(route, "method", None), str)
        and callable(getattr(getattr(route, "rule", None), "match", None))
        for route in routes
    ):
        raise InternalsChanged(
            "Powertools' resolver no longer keeps lists of routes with a method and a rule in "
            f"_static_routes/_dynamic_routes: check {__name__}.allowed_methods against the "
            "installed aws-lambda-powertools"
        )
    return routes


def allowed_methods(app: APIGatewayHttpResolver, path: str) -> list[str]:
    """The methods routed on ``path``."""
    # The resolver keeps its routes privately; reading them keeps this list exact.
    return sorted({route.method for route in _routes(app) if route.rule.match(path)})


def register(app: APIGatewayHttpResolver) -> None:
    """Install the exception, not-found and method-not-allowed handlers on ``app``."""

    def path() -> str:
        return str(app.current_event.path)

    def _invalid_request(error: RequestValidationError) -> Response[str]:
        return _validation_problem(error, path())

    def _unsupported(error: RequestUnsupportedContentType) -> Response[str]:
        return problem(
            415,
            "unsupported_media_type",
            "Send the request body as JSON (Content-Type: application/json).",
            instance=path(),
        )

    def _domain(error: DomainError) -> Response[str]:
        # An error class may fix its own status (DiscoveryFailed: 422 whatever its code).
        status = getattr(error, "http_status", None) or STATUS_BY_CODE.get(error.code, 400)
        retry_after = RETRY_AFTER_BY_CODE.get(error.code, "5" if status == 503 else None)
        headers = {"Retry-After": retry_after} if retry_after else None
        if status >= 500:
            logger.warning("%s on %s: %s", error.code, path(), error.message)
        return problem(status, error.code, error.message, instance=path(), headers=headers)

    def _no_route(error: NotFoundError) -> Response[str]:
        method = app.current_event.http_method.upper()
        allowed = allowed_methods(app, path())
        if allowed:
            return problem(
                405,
                "method_not_allowed",
                f"{method} is not supported on {path()}; use {', '.join(allowed)}.",
                instance=path(),
                headers={"Allow": ", ".join(allowed)},
            )
        return problem(
            404,
            "route_not_found",
            f"There is no route {method} {path()}; see /docs for the API.",
            instance=path(),
        )

    def _unexpected(error: Exception) -> Response[str]:
        logger.exception("unhandled error on %s", path())
        return problem(
            500,
            "internal_error",
            "An unexpected error occurred; it has been logged. Retry later.",
            instance=path(),
        )

    handlers: list[tuple[type[Exception], Callable[[Any], Response[str]]]] = [
        (RequestValidationError, _invalid_request),
        (RequestUnsupportedContentType, _unsupported),
        (DomainError, _domain),
        (NotFoundError, _no_route),  # what the resolver raises for an unknown route
        (Exception, _unexpected),
    ]
    for exc_class, func in handlers:
        app.exception_handler(exc_class)(func)
