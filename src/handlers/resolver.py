"""A Powertools HTTP API resolver that keeps each request's state to its own thread.

``APIGatewayHttpResolver.resolve`` stores the request being answered in class and instance
attributes (``BaseRouter.current_event``, ``lambda_context``, the routing ``context`` dict):
one Lambda invocation at a time never notices, but ``serve`` answers requests from many
threads, and a request answered beside another read the other's path and route (a ``GET``
answered for another id, or a 500). Here those attributes live in a ``ContextVar`` (each
thread has its own), as Powertools' own ``HttpResolverLocal`` does.

``resolve`` is rewritten around the resolver's private ``_to_proxy_event``, ``_resolve`` and
``_build_response``: the Powertools version is checked at import.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from importlib import metadata
from typing import TYPE_CHECKING, Any, cast

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

#: The Powertools releases this module was checked against (the lock files pin one of them).
TESTED_POWERTOOLS = ("3.37.",)
_PRIVATE = ("_to_proxy_event", "_resolve", "_build_response", "clear_context")

_version = metadata.version("aws-lambda-powertools")
if not _version.startswith(TESTED_POWERTOOLS) or not all(
    hasattr(APIGatewayHttpResolver, name) for name in _PRIVATE
):  # pragma: no cover (only with another Powertools)
    raise ImportError(
        f"handlers.resolver relies on aws-lambda-powertools {TESTED_POWERTOOLS} internals;"
        f" {_version} is installed: check APIGatewayHttpResolver.resolve and update the pin"
    )


@dataclass
class _RequestState:
    event: APIGatewayProxyEventV2 | None = None
    lambda_context: Any = None
    context: dict[str, Any] = field(default_factory=dict)
    processed_stack_frames: list[str] = field(default_factory=list)


class ThreadSafeHttpResolver(APIGatewayHttpResolver):
    """``APIGatewayHttpResolver`` whose per-request attributes are per thread."""

    def __init__(self, **kwargs: Any) -> None:
        self._startup_state = _RequestState()
        self._request_state: ContextVar[_RequestState | None] = ContextVar(
            "api_request_state", default=None
        )
        super().__init__(**kwargs)

    @property
    def _state(self) -> _RequestState:
        return self._request_state.get() or self._startup_state

    @property  # type: ignore[override]
    def current_event(self) -> APIGatewayProxyEventV2:
        """The request this thread is answering."""
        event = self._state.event
        if event is None:
            raise RuntimeError("no request is being answered on this thread")
        return event

    @current_event.setter
    def current_event(self, value: APIGatewayProxyEventV2) -> None:
        self._state.event = value

    @property
    def lambda_context(self) -> Any:
        """The invocation context of this thread's request."""
        return self._state.lambda_context

    @lambda_context.setter
    def lambda_context(self, value: Any) -> None:
        self._state.lambda_context = value

    @property
    def context(self) -> dict[str, Any]:
        """Routing context of this thread's request (route, its arguments)."""
        return self._state.context

    @context.setter
    def context(self, value: dict[str, Any]) -> None:
        self._state.context = value

    @property
    def processed_stack_frames(self) -> list[str]:
        """Middleware frames of this thread's request (debug output)."""
        return self._state.processed_stack_frames

    @processed_stack_frames.setter
    def processed_stack_frames(self, value: list[str]) -> None:
        self._state.processed_stack_frames = value

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        """Answer ``event`` with state of its own (``APIGatewayHttpResolver.resolve``)."""
        token = self._request_state.set(_RequestState())
        try:
            self.current_event = cast("APIGatewayProxyEventV2", self._to_proxy_event(dict(event)))
            self.lambda_context = context
            response: dict[str, Any] = self._build_response(self._resolve())
            return response
        finally:
            self._request_state.reset(token)
