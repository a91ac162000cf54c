"""Publishing domain events to an EventBridge bus; failed entries are resent, never dropped."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from pydantic import BaseModel

from core.adapters.aws.batching import batches
from core.adapters.aws.clients import AwsClients, required, translated
from core.adapters.aws.retry import send_with_retries
from core.errors import InvalidInput
from core.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef

logger = logging.getLogger(__name__)

MAX_ENTRIES = 10
MAX_BATCH_BYTES = 256 * 1024


@runtime_checkable
class PublishableEvent(Protocol):
    """What the bus needs from an event (``core.events`` models): routing fields + JSON."""

    @property
    def detail_type(self) -> str: ...

    @property
    def source(self) -> str: ...

    def model_dump_json(self) -> str: ...


def _entry_size(entry: PutEventsRequestEntryTypeDef) -> int:
    # EventBridge counts Source, DetailType, Detail, Resources and EventBusName, in UTF-8.
    return sum(
        len(str(entry.get(k, "")).encode())
        for k in ("Source", "DetailType", "Detail", "EventBusName")
    )


class EventBridgeBus:
    """``EventBus`` on one custom EventBridge bus."""

    def __init__(self, settings: Settings, clients: AwsClients | None = None) -> None:
        self.bus_name = required(settings.event_bus_name, "event_bus_name")
        self.clients = clients or AwsClients(settings)

    def publish(self, events: Sequence[BaseModel]) -> None:
        """Publish every event or raise ``StorageError``; rejected entries are resent."""
        entries: list[PutEventsRequestEntryTypeDef] = []
        for event in events:
            if not isinstance(event, PublishableEvent):
                raise InvalidInput(f"{type(event).__name__} lacks detail_type/source")
            entries.append(
                {
                    "Source": event.source,
                    "DetailType": event.detail_type,
                    "Detail": event.model_dump_json(),
                    "EventBusName": self.bus_name,
                }
            )
        for batch in batches(
            entries, max_count=MAX_ENTRIES, max_bytes=MAX_BATCH_BYTES, size=_entry_size
        ):
            send_with_retries(batch, self._put, what="EventBridge PutEvents")
        logger.debug("published %d events to %s", len(entries), self.bus_name)

    def _put(self, entries: Sequence[PutEventsRequestEntryTypeDef]) -> dict[int, str]:
        with translated("EventBridge PutEvents"):
            response = self.clients.events().put_events(Entries=list(entries))
        if not response.get("FailedEntryCount"):
            return {}
        return {
            i: str(result.get("ErrorCode"))
            for i, result in enumerate(response.get("Entries", []))
            if result.get("ErrorCode")
        }
