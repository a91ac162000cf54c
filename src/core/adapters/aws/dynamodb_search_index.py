"""``SearchIndex`` on the DynamoDB index table (string keys ``pk``/``sk``): no engine to run.

Item layout (see ``docs/search.md``), ``pk`` / ``sk`` → attributes:

* ``TERM#<term>`` / ``<99999 - weight, 5 digits>#<article id>`` → ``w`` (weight) and the
  facets ``lang``, ``host``, ``site``, ``date`` (one posting);
* ``STATS#search`` / ``DOCS#<shard>`` → ``n``, indexed articles counted on that shard (the
  document count is the sum of the ``STATS_SHARDS`` shards and of the pre-shard ``DOCS``);
* ``DOC#<article id>`` / ``DOC`` → ``url``, ``title``, facets, ``text`` (its head, for snippets);
* ``DOC#<article id>`` / ``TERMS`` → ``terms`` ({term: weight}) and facets, as last indexed.

A Query on ``TERM#<term>`` in ascending ``sk`` order returns the heaviest postings first (ties
by article id) — the order ``core.search.ranking`` expects — and reads at most
``MAX_POSTINGS_PER_TERM`` of them. No item is shared between articles except the document
count shards: a term's document frequency is counted at query time (exact from the postings
read when fewer than ``MAX_POSTINGS_PER_TERM``, else a ``COUNT`` query), so indexers on
several stream shards never contend for a term.

An update writes ``DOC``, then the postings (idempotent puts and deletes), then ``TERMS``. A
process that dies half-way leaves ``TERMS`` as it was, so the stream's retry recomputes the
same postings. ``TERMS`` appearing or disappearing is the event that changes the document
count: it is written in one transaction with the count shard's ``ADD``.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from core.adapters.aws.clients import AwsClients, error_code, required, translated
from core.backoff import backoff_delay
from core.errors import StorageError
from core.models import Article
from core.ports import SearchHit
from core.search import (
    MAX_LIMIT,
    MAX_POSTINGS_PER_TERM,
    MAX_QUERY_TERMS,
    Facets,
    IndexedDoc,
    Posting,
    SearchFilters,
    article_terms,
    check_limit,
    parse_query,
    query_terms,
    rank,
    to_hit,
)
from core.search.highlight import matches
from core.search.terms import MAX_SCALED_WEIGHT
from core.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

logger = logging.getLogger(__name__)

STATS_PK = "STATS#search"
# The document count before it was sharded; still part of the sum.
LEGACY_STATS_SK = "DOCS"
# Shards of the document count: concurrent indexers rarely touch the same one.
STATS_SHARDS = 16
BATCH_WRITE_MAX = 25
BATCH_GET_MAX = 100
# Attempts for the entries a batch call leaves unprocessed (throttling), and for a count
# transaction cancelled by a concurrent one on the same shard.
ATTEMPTS = 5
BASE_DELAY_S = 0.05
_FACET_ATTRIBUTES = (
    ("lang", "language"),
    ("host", "hostname"),
    ("site", "sitename"),
    ("date", "date"),
)

Item = dict[str, Any]


def posting_sort_key(weight: int, article_id: str) -> str:
    """``sk`` of a posting: ascending order = heaviest first, then by article id."""
    return f"{MAX_SCALED_WEIGHT - weight:05d}#{article_id}"


def stats_shard(article_id: str) -> str:
    """``sk`` of the document-count shard an article is counted on."""
    digest = hashlib.sha256(article_id.encode()).digest()
    return f"DOCS#{int.from_bytes(digest[:2], 'big') % STATS_SHARDS:02d}"


def _pair(key: Item) -> tuple[str, str]:
    return key["pk"]["S"], key["sk"]["S"]


def _key(pk: str, sk: str) -> Item:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _facet_attributes(facets: Facets) -> Item:
    return {
        attribute: {"S": value}
        for attribute, name in _FACET_ATTRIBUTES
        if (value := getattr(facets, name)) is not None
    }


def _facets(item: Item) -> Facets:
    values = {
        name: item[attribute]["S"] for attribute, name in _FACET_ATTRIBUTES if attribute in item
    }
    return Facets(**values)


def _term_map(terms: dict[str, int]) -> Item:
    return {"M": {term: {"N": str(weight)} for term, weight in terms.items()}}


def _terms(value: Item | None) -> dict[str, int]:
    return {term: int(weight["N"]) for term, weight in (value or {}).get("M", {}).items()}


class DynamoSearchIndex:
    """``SearchIndex`` on ``settings.index_table``."""

    def __init__(self, settings: Settings, clients: AwsClients | None = None) -> None:
        self.table = required(settings.index_table, "index_table")
        self.clients = clients or AwsClients(settings)

    def _db(self) -> DynamoDBClient:
        return self.clients.dynamodb()

    # -- writes -------------------------------------------------------------------------------

    def index(self, article: Article) -> None:
        current = self._get_item(f"DOC#{article.id}", "TERMS")
        old, old_facets = _terms((current or {}).get("terms")), _facets(current or {})
        new = {t.term: t.weight for t in article_terms(article)}
        doc = IndexedDoc.of(article)
        if new:
            self._put_doc(doc)  # display fields or text may have changed
        else:
            with translated(f"delete search doc {article.id}"):
                self._db().delete_item(TableName=self.table, Key=_key(f"DOC#{article.id}", "DOC"))
        if old == new and old_facets == doc.facets:
            return
        self._write_postings(article.id, old, new, doc.facets)
        self._commit_terms(article.id, current is not None, new, doc.facets)
        logger.debug("indexed %s: %d terms (%d before)", article.id, len(new), len(old))

    def _put_doc(self, doc: IndexedDoc) -> None:
        item = {
            **_key(f"DOC#{doc.id}", "DOC"),
            **_facet_attributes(doc.facets),
            "url": {"S": doc.url},
            "text": {"S": doc.text},
        }
        if doc.title is not None:
            item["title"] = {"S": doc.title}
        with translated(f"put search doc {doc.id}"):
            self._db().put_item(TableName=self.table, Item=item)

    def _commit_terms(
        self, article_id: str, existed: bool, new: dict[str, int], facets: Facets
    ) -> None:
        """Write (or delete) ``TERMS``; when it appears or disappears, count the document."""
        key = _key(f"DOC#{article_id}", "TERMS")
        item = {**key, **_facet_attributes(facets), "terms": _term_map(new)}
        if existed and new:
            with translated(f"commit terms of {article_id}"):
                self._db().put_item(TableName=self.table, Item=item)
            return
        if not existed and not new:
            return
        change: Any = (
            {"Put": {"TableName": self.table, "Item": item}}
            if new
            else {"Delete": {"TableName": self.table, "Key": key}}
        )
        change[next(iter(change))]["ConditionExpression"] = (
            "attribute_not_exists(pk)" if new else "attribute_exists(pk)"
        )
        count: Any = {
            "Update": {
                "TableName": self.table,
                "Key": _key(STATS_PK, stats_shard(article_id)),
                "UpdateExpression": "ADD n :d",
                "ExpressionAttributeValues": {":d": {"N": "1" if new else "-1"}},
            }
        }
        for attempt in range(ATTEMPTS):
            try:
                with translated(f"count {article_id}"):
                    self._db().transact_write_items(TransactItems=[change, count])
                return
            except StorageError as error:
                if error_code(error.__cause__ or error) != "TransactionCanceledException":
                    raise
            # Cancelled: TERMS already in the wanted state (counted), or a concurrent count.
            if (self._get_item(*_pair(key)) is not None) == bool(new):
                if new:
                    with translated(f"commit terms of {article_id}"):
                        self._db().put_item(TableName=self.table, Item=item)
                return
            _backoff(attempt)
        raise StorageError(f"count {article_id}: the count shard stayed busy")

    def _write_postings(
        self, article_id: str, old: dict[str, int], new: dict[str, int], facets: Facets
    ) -> None:
        requests: list[Item] = [
            {"DeleteRequest": {"Key": _key(f"TERM#{term}", posting_sort_key(weight, article_id))}}
            for term, weight in sorted(old.items())
            if new.get(term) != weight
        ]
        attributes = _facet_attributes(facets)
        requests += [
            {
                "PutRequest": {
                    "Item": {
                        **_key(f"TERM#{term}", posting_sort_key(weight, article_id)),
                        **attributes,
                        "w": {"N": str(weight)},
                    }
                }
            }
            for term, weight in sorted(new.items())
        ]
        for chunk in _chunks(requests, BATCH_WRITE_MAX):
            self._batch_write(chunk, article_id)

    def _batch_write(self, requests: list[Item], article_id: str) -> None:
        pending: Any = requests
        for attempt in range(ATTEMPTS):
            with translated(f"write postings of {article_id}"):
                response = self._db().batch_write_item(RequestItems={self.table: pending})
            pending = (response.get("UnprocessedItems") or {}).get(self.table, [])
            if not pending:
                return
            _backoff(attempt)
        raise StorageError(f"write postings of {article_id}: {len(pending)} writes unprocessed")

    # -- reads --------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        language: str | None = None,
        site: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int = 10,
    ) -> list[SearchHit]:
        filters = SearchFilters(language=language, site=site, since=since, until=until)
        check_limit(limit)
        parsed = parse_query(query, language)
        terms = query_terms(" ".join(parsed.words), language, max_terms=MAX_QUERY_TERMS)
        if not terms:
            return []
        shards = [LEGACY_STATS_SK, *(f"DOCS#{i:02d}" for i in range(STATS_SHARDS))]
        counts = self._batch_get([(STATS_PK, sk) for sk in shards])
        count = sum(_count(item) for item in counts.values())
        postings = {term: self._postings(term) for term in terms}
        df = {
            term: len(read) if len(read) < MAX_POSTINGS_PER_TERM else self._count_postings(term)
            for term, read in postings.items()
        }
        # Postings hold words, not positions: a phrase is checked on the candidates' text.
        verify = any(clause.phrase for clause in parsed.clauses)
        ranked = rank(terms, postings, df, count, filters, MAX_LIMIT if verify else limit)
        items = self._batch_get([(f"DOC#{r.article_id}", "DOC") for r in ranked])
        hits = []
        for r in ranked:
            item = items.get((f"DOC#{r.article_id}", "DOC"))
            if item is None:  # removed since its postings were read
                continue
            doc = _doc(r.article_id, item)
            if not verify or matches(f"{doc.title or ''}\n{doc.text}", parsed):
                hits.append(to_hit(r, doc, parsed))
        return hits[:limit]

    def _postings(self, term: str) -> list[Posting]:
        with translated(f"read postings of {term!r}"):
            response = self._db().query(
                TableName=self.table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": f"TERM#{term}"}},
                ScanIndexForward=True,
                Limit=MAX_POSTINGS_PER_TERM,
            )
        return [
            Posting(item["sk"]["S"].split("#", 1)[1], int(item["w"]["N"]), _facets(item))
            for item in response.get("Items", [])
        ]

    def _count_postings(self, term: str) -> int:
        """How many articles hold ``term`` (a COUNT query: reads every posting, ~136 B each)."""
        total, start = 0, None
        while True:
            request: Any = {
                "TableName": self.table,
                "KeyConditionExpression": "pk = :pk",
                "ExpressionAttributeValues": {":pk": {"S": f"TERM#{term}"}},
                "Select": "COUNT",
            }
            if start:
                request["ExclusiveStartKey"] = start
            with translated(f"count postings of {term!r}"):
                response = self._db().query(**request)
            total += int(response.get("Count", 0))
            start = response.get("LastEvaluatedKey")
            if not start:
                return total

    def _get_item(self, pk: str, sk: str) -> Item | None:
        with translated(f"get {pk}/{sk}"):
            response = self._db().get_item(
                TableName=self.table, Key=_key(pk, sk), ConsistentRead=True
            )
        item: Item | None = response.get("Item")
        return item

    def _batch_get(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Item]:
        found: dict[tuple[str, str], Item] = {}
        for chunk in _chunks(list(dict.fromkeys(keys)), BATCH_GET_MAX):
            request: Any = {self.table: {"Keys": [_key(pk, sk) for pk, sk in chunk]}}
            for attempt in range(ATTEMPTS):
                with translated("read search items"):
                    response = self._db().batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self.table, []):
                    found[(item["pk"]["S"], item["sk"]["S"])] = item
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
                _backoff(attempt)
            else:
                raise StorageError("read search items: keys left unprocessed")
        return found


def _doc(article_id: str, item: Item) -> IndexedDoc:
    title = item["title"]["S"] if "title" in item else None
    return IndexedDoc(article_id, item["url"]["S"], title, _facets(item), item["text"]["S"])


def _count(item: Item | None) -> int:
    return int(item["n"]["N"]) if item and "n" in item else 0


def _chunks(values: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _backoff(attempt: int) -> None:
    time.sleep(backoff_delay(attempt, base_s=BASE_DELAY_S, cap_s=math.inf))
