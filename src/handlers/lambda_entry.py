"""The Powertools preamble the event-driven Lambdas share (``worker``, ``indexer``,
``webhooks``): a structured ``Logger`` with the invocation's context, ``Metrics`` flushed after
every invocation, X-Ray when tracing is on (``handlers.tracing``), and a counter the handler's
``handle`` reports to. The local runtime calls each ``handle`` directly (no metrics flush).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from handlers import _deps, tracing

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from core.services import Services

#: Counts one occurrence of the named metric.
Counter = Callable[[str], None]
LambdaHandler = Callable[[dict[str, Any], "LambdaContext"], dict[str, Any]]


class Handle(Protocol):
    """A handler's work on one event, given its ``Services`` and a ``Counter``."""

    def __call__(
        self,
        event: dict[str, Any],
        context: LambdaContext | None,
        services: Services,
        *,
        count: Counter = ...,
    ) -> dict[str, Any]: ...


def ignore(_: str) -> None:
    """A ``Counter`` that counts nothing (the local runtime's)."""


def lambda_entry(name: str, handle: Handle) -> LambdaHandler:
    """The Lambda entry point running ``handle`` on the process's ``Services``: logs as service
    ``article-ingest-<name>``, counts into namespace ``ArticleIngest``, service ``name``."""
    lambda_logger = Logger(service=f"article-ingest-{name}")
    metrics = Metrics(namespace="ArticleIngest", service=name)

    def count(metric: str) -> None:
        metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)

    @metrics.log_metrics
    @lambda_logger.inject_lambda_context
    @tracing.capture_lambda_handler
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        """Lambda entry point."""
        return handle(event, context, _deps.services(), count=count)

    return handler
