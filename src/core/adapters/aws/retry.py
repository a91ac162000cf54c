"""Re-sending the entries a batch API rejected (SQS SendMessageBatch, EventBridge PutEvents).

Those APIs answer 200 even when some entries failed; botocore's retry mode does not see that,
so the adapters resend only the failed entries, with exponential backoff and full jitter.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from core.backoff import backoff_delay
from core.errors import StorageError

logger = logging.getLogger(__name__)

T = TypeVar("T")

ATTEMPTS = 4
BASE_DELAY_S = 0.1
MAX_DELAY_S = 2.0


def send_with_retries(
    entries: Sequence[T],
    send: Callable[[Sequence[T]], dict[int, str]],
    *,
    what: str,
    attempts: int = ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Call ``send`` until every entry is accepted, or raise ``StorageError``.

    ``send`` receives the pending entries and returns ``{position: error}`` for those rejected.
    """
    pending = list(entries)
    for attempt in range(attempts):
        failures = send(pending)
        if not failures:
            return
        pending = [pending[i] for i in sorted(failures)]
        logger.warning(
            "%s: %d entries rejected (attempt %d/%d): %s",
            what,
            len(pending),
            attempt + 1,
            attempts,
            sorted(set(failures.values())),
        )
        if attempt + 1 < attempts:
            sleep(backoff_delay(attempt, base_s=BASE_DELAY_S, cap_s=MAX_DELAY_S))
    raise StorageError(f"{what}: {len(pending)} entries still rejected after {attempts} attempts")
