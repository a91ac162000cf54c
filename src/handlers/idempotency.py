"""``Idempotency-Key`` support: a retried POST gets the first answer back.

Powertools' idempotency utility does the bookkeeping, on the persistence layer
``Services.idempotency_store`` chooses (DynamoDB with ``backend=aws``, else the local SQLite
database). The record is keyed on the caller and the header value (``scope``: the
caller's length first, so no choice of ``|`` in either can make two pairs meet); the hash of the
validated body is stored with it, so reusing a key for a different body is refused
(``KeyReused``) instead of silently answering for another request. A call that raises leaves
no record, so it can be retried with the same key.

Powertools' idempotency package imports boto3 at its top, so it is imported on the first
idempotent request, not with this module (``handlers.api`` stays quick to import).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from core.errors import DomainError

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency.persistence.base import (
        BasePersistenceLayer,
    )
    from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = logging.getLogger(__name__)

#: How long a key is remembered.
TTL_S = 24 * 3600
MAX_KEY_LENGTH = 255

Work = Callable[[dict[str, Any]], dict[str, Any]]


class RequestInProgress(DomainError):
    """A request with this key is still being processed."""

    code = "request_in_progress"


class KeyReused(DomainError):
    """The key was already used with a different request body."""

    code = "idempotency_key_reused"


def scope(caller: str, key: str) -> str:
    """The record's key for ``key`` sent by ``caller``: distinct for distinct pairs, whatever
    characters either holds (``a|b`` + ``c`` and ``a`` + ``b|c`` do not meet)."""
    return f"{len(caller)}:{caller}|{key}"


def body_hash(body: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a validated request body."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _mark_replayed(response: Any, idempotent_data: DataRecord) -> Any:
    if isinstance(response, dict):
        return {**response, "replayed": True}
    return response


class IdempotentCall:
    """Runs ``work(body)`` at most once per (caller, key) while the record lives."""

    def __init__(self, store: BasePersistenceLayer, work: Work, *, name: str) -> None:
        from aws_lambda_powertools.utilities.idempotency import (
            IdempotencyConfig,
            idempotent_function,
        )

        self.config = IdempotencyConfig(
            event_key_jmespath="key",
            payload_validation_jmespath="body_sha256",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=TTL_S,
            response_hook=_mark_replayed,
        )

        def run(request: dict[str, Any]) -> dict[str, Any]:
            return {"result": work(request["body"]), "replayed": False}

        self._run = idempotent_function(
            run,
            data_keyword_argument="request",
            persistence_store=store,
            config=self.config,
            key_prefix=f"article-ingest.{name}",
        )

    def __call__(
        self,
        key: str,
        caller: str,
        body: dict[str, Any],
        context: LambdaContext | None = None,
    ) -> tuple[dict[str, Any], bool]:
        """The result of ``work(body)`` (the stored one on a retry) and whether it was replayed.

        Raises ``RequestInProgress`` or ``KeyReused`` (domain errors) for Powertools' refusals.
        """
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyValidationError,
        )

        if context is not None:
            self.config.register_lambda_context(context)
        request = {"key": scope(caller, key), "body_sha256": body_hash(body), "body": body}
        try:
            answer = self._run(request=request)
        except IdempotencyAlreadyInProgressError as error:
            raise RequestInProgress(
                "A request with this Idempotency-Key is still being processed; retry shortly."
            ) from error
        except IdempotencyValidationError as error:
            raise KeyReused(
                "This Idempotency-Key was already used with a different request body;"
                " use a new key for a new request."
            ) from error
        return answer["result"], bool(answer["replayed"])
