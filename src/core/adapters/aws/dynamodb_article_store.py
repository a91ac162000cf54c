"""Articles in DynamoDB: conditional versioned writes, sharded list indexes, long texts in S3.

Write order (never an item that points at nothing):

1. the raw object is already in S3 (the pipeline stored it, tagged ``pending``);
2. a text too long for an item is stored next to it (``S3RawStore.put_text``);
3. every object the item will reference is re-tagged ``linked`` — this fails with ``NotFound``
   if an object is missing, and then nothing is written;
4. the conditional ``PutItem``: ``attribute_not_exists(id)`` for version 0, ``version =
   :expected`` otherwise, so two workers never overwrite newer data with older.

A crash between 1-2 and 4 leaves ``pending`` objects that the bucket's lifecycle rule expires.
See ``table_design`` for the key design and ``dynamodb_listing`` for pagination.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from core.adapters.aws import dynamodb_listing as listing
from core.adapters.aws.clients import AwsClients, required, translated
from core.adapters.aws.dynamodb_items import (
    MAX_ITEM_BYTES,
    article_document,
    estimated_size,
    from_item,
    to_item,
)
from core.adapters.aws.s3_raw_store import S3RawStore
from core.adapters.aws.table_design import TABLE_KEY
from core.backoff import backoff_delay
from core.errors import InvalidInput, StorageError
from core.models import Article
from core.ports import ArticlePage, ArticleQuery, RawHtmlStore
from core.settings import Settings

logger = logging.getLogger(__name__)

# Texts above this many UTF-8 bytes live in S3: every status change rewrites the whole item and
# DynamoDB bills writes per KB, so a long inline text would cost more than one S3 PUT.
INLINE_TEXT_LIMIT = 64 * 1024
BATCH_GET_MAX = 100
BATCH_GET_ATTEMPTS = 6


class DynamoArticleStore:
    """``ArticleStore`` on the articles table (and its bucket for long texts)."""

    def __init__(
        self,
        settings: Settings,
        clients: AwsClients | None = None,
        *,
        raw_store: RawHtmlStore | None = None,
        inline_text_limit: int = INLINE_TEXT_LIMIT,
    ) -> None:
        """The store on ``settings.articles_table``; long texts go to ``settings.raw_bucket``.

        ``raw_store``, when it is an ``S3RawStore``, is reused (and its clients shared).
        """
        self.table = required(settings.articles_table, "articles_table")
        if isinstance(raw_store, S3RawStore):
            self.objects = raw_store
            self.clients = clients or raw_store.clients
        else:
            self.clients = clients or AwsClients(settings)
            self.objects = S3RawStore(settings, self.clients)
        self.inline_text_limit = inline_text_limit

    # -- reads --------------------------------------------------------------------------------

    def get(self, article_id: str) -> Article | None:
        """The stored article (strongly consistent), its long text reloaded from S3."""
        with translated(f"get article {article_id}"):
            response = self.clients.dynamodb().get_item(
                TableName=self.table, Key={TABLE_KEY: {"S": article_id}}, ConsistentRead=True
            )
        item = response.get("Item")
        return self.article_from_item(item) if item else None

    def article_from_item(self, item: dict[str, Any]) -> Article:
        """An Article from an item or a stream image (``NewImage``/``OldImage``)."""
        fields, text_uri = from_item(item)
        if text_uri is not None:
            fields["text"] = self.objects.get_text(text_uri)
        return Article.model_validate(fields)

    def article_from_image(self, image: Mapping[str, Any]) -> Article:
        """The Article in a stream image: the image of a DynamoDB stream is the item."""
        return self.article_from_item(dict(image))

    def list(self, query: ArticleQuery) -> ArticlePage:
        """Articles matching the filters, newest publication date first."""
        lanes = listing.plan(query)
        with translated("list articles"):
            for lane in lanes:
                listing.fetch(self.clients.dynamodb(), self.table, lane, query)
            ids, has_more = listing.merge(lanes, query.limit)
            items = self._batch_get(ids)
        cursor = listing.next_cursor(lanes, query) if has_more else None
        return ArticlePage(items=list(items), next_cursor=cursor)

    def _batch_get(self, ids: Sequence[str]) -> Sequence[Article]:
        found: dict[str, Article] = {}
        for start in range(0, len(ids), BATCH_GET_MAX):
            keys: list[Any] = [{TABLE_KEY: {"S": i}} for i in ids[start : start + BATCH_GET_MAX]]
            request: dict[str, Any] = {self.table: {"Keys": keys}}
            for attempt in range(BATCH_GET_ATTEMPTS):
                response = self.clients.dynamodb().batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self.table, []):
                    article = self.article_from_item(item)
                    found[article.id] = article
                # Throttled keys come back in a 200 answer, which botocore does not retry.
                request = dict(response.get("UnprocessedKeys") or {})
                if not request:
                    break
                time.sleep(backoff_delay(attempt, base_s=0.05, cap_s=1.0))
            else:
                raise StorageError("BatchGetItem left keys unprocessed after retries")
        return [found[i] for i in ids if i in found]  # an id deleted meanwhile is skipped

    # -- writes -------------------------------------------------------------------------------

    def put(self, article: Article) -> Article:
        """Conditionally write the next version; ``VersionConflict`` if another writer won."""
        stored = article.model_copy(
            update={"version": article.version + 1, "updated_at": datetime.now(UTC)}
        )
        text_uri = None
        text_bytes = len(stored.text.encode("utf-8")) if stored.text else 0
        doc = article_document(stored, text_uri=None)
        if text_bytes > self.inline_text_limit or estimated_size(doc) > MAX_ITEM_BYTES:
            if stored.text:
                text_uri = self.objects.put_text(stored.id, stored.text)
                doc = article_document(stored, text_uri=text_uri)
            if estimated_size(doc) > MAX_ITEM_BYTES:
                raise InvalidInput(f"article {stored.id} exceeds the item size limit")
        for uri in (stored.raw_html_uri, text_uri):
            if uri and self.objects.owns(uri):
                self.objects.link(uri)  # NotFound here: refuse to point at nothing
        if article.version == 0:
            condition = "attribute_not_exists(#id)"
            names = {"#id": TABLE_KEY}
            values: dict[str, Any] | None = None
        else:
            condition = "#v = :expected"
            names = {"#v": "version"}
            values = {":expected": {"N": str(article.version)}}
        request: dict[str, Any] = {
            "TableName": self.table,
            "Item": to_item(doc),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
        }
        if values:
            request["ExpressionAttributeValues"] = values
        with translated(
            f"put article {article.id} v{stored.version}",
            conflict=("ConditionalCheckFailedException",),
        ):
            self.clients.dynamodb().put_item(**request)
        logger.debug("stored article %s version %d", stored.id, stored.version)
        return stored
