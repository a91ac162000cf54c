"""SimHash band buckets in the DynamoDB index table (``pk``/``sk`` strings), see ``core.indexing``.

Items (the ``SIMHASH#`` prefix is reserved for them in the index table):

* ``SIMHASH#<band>#<4 hex digits>`` / ``<registered_at>#<article id>`` → ``fp`` (one bucket
  entry; a Query on the bucket returns the oldest registrations first, bounded by ``Limit``);
* ``SIMHASH#<article id>`` / ``REG`` → ``fp``, ``registered_at`` (what is registered now).

A (re-)registration is one transaction: the new bucket entries, the removal of the old ones
and the ``REG`` item under a condition on its previous fingerprint, so two indexers racing on
one article cannot leave stale buckets behind.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from core.adapters.aws.clients import AwsClients, required, translated
from core.errors import VersionConflict
from core.indexing import bands
from core.ports import FingerprintEntry
from core.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

logger = logging.getLogger(__name__)

PREFIX = "SIMHASH#"
REGISTRATION_SK = "REG"
MAX_RACES = 3


def bucket_key(band: int, value: int) -> str:
    """``pk`` of one band bucket."""
    return f"{PREFIX}{band}#{value:04x}"


def registration_key(article_id: str) -> dict[str, Any]:
    """Key of an article's registration item."""
    return {"pk": {"S": f"{PREFIX}{article_id}"}, "sk": {"S": REGISTRATION_SK}}


class DynamoFingerprintIndex:
    """``FingerprintIndex`` on the index table."""

    def __init__(self, clients: AwsClients, table: str) -> None:
        self.clients = clients
        self.table = table

    @classmethod
    def from_settings(
        cls, settings: Settings, clients: AwsClients | None = None
    ) -> DynamoFingerprintIndex:
        """The index on ``settings.index_table``."""
        return cls(clients or AwsClients(settings), required(settings.index_table, "index_table"))

    def _registration(self, article_id: str) -> tuple[str, str] | None:
        with translated(f"get fingerprint of {article_id}"):
            item = (
                self.clients.dynamodb()
                .get_item(
                    TableName=self.table, Key=registration_key(article_id), ConsistentRead=True
                )
                .get("Item")
            )
        if not item:
            return None
        return item["fp"]["S"], item["registered_at"]["S"]

    def register(self, article_id: str, fingerprint: str) -> datetime:
        for _ in range(MAX_RACES):
            current = self._registration(article_id)
            if current and current[0] == fingerprint:
                return datetime.fromisoformat(current[1])
            registered_at = current[1] if current else datetime.now(UTC).isoformat()
            try:
                self._write(article_id, fingerprint, registered_at, current)
            except VersionConflict:
                logger.info("fingerprint of %s registered concurrently; re-reading", article_id)
                continue
            return datetime.fromisoformat(registered_at)
        raise VersionConflict(f"fingerprint of {article_id} kept changing")

    def _write(
        self,
        article_id: str,
        fingerprint: str,
        registered_at: str,
        previous: tuple[str, str] | None,
    ) -> None:
        sk = f"{registered_at}#{article_id}"
        items: list[TransactWriteItemTypeDef] = []
        new_keys = {bucket_key(b, v) for b, v in enumerate(bands(fingerprint))}
        for pk in sorted(new_keys):
            items.append(
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": {"pk": {"S": pk}, "sk": {"S": sk}, "fp": {"S": fingerprint}},
                    }
                }
            )
        if previous:
            old_keys = {bucket_key(b, v) for b, v in enumerate(bands(previous[0]))} - new_keys
            items += [
                {"Delete": {"TableName": self.table, "Key": {"pk": {"S": pk}, "sk": {"S": sk}}}}
                for pk in sorted(old_keys)
            ]
            condition = "fp = :previous"
            values: dict[str, Any] = {":previous": {"S": previous[0]}}
        else:
            condition = "attribute_not_exists(pk)"
            values = {}
        put: dict[str, Any] = {
            "TableName": self.table,
            "Item": {
                **registration_key(article_id),
                "fp": {"S": fingerprint},
                "registered_at": {"S": registered_at},
            },
            "ConditionExpression": condition,
        }
        if values:
            put["ExpressionAttributeValues"] = values
        items.append({"Put": put})  # type: ignore[typeddict-item]
        with translated(
            f"register fingerprint of {article_id}",
            conflict=("TransactionCanceledException", "ConditionalCheckFailedException"),
        ):
            self.clients.dynamodb().transact_write_items(TransactItems=items)

    def candidates(self, fingerprint: str, *, per_band: int) -> list[FingerprintEntry]:
        found: list[FingerprintEntry] = []
        for band, value in enumerate(bands(fingerprint)):
            with translated("query fingerprint bucket"):
                response = self.clients.dynamodb().query(
                    TableName=self.table,
                    KeyConditionExpression="pk = :pk",
                    ExpressionAttributeValues={":pk": {"S": bucket_key(band, value)}},
                    ConsistentRead=True,
                    Limit=per_band,
                )
            for item in response.get("Items", []):
                registered_at, _, article_id = item["sk"]["S"].rpartition("#")
                found.append(
                    FingerprintEntry(
                        article_id, item["fp"]["S"], datetime.fromisoformat(registered_at)
                    )
                )
        return found
