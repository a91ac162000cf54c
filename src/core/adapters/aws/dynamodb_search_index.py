"""``SearchIndex`` on the DynamoDB index table (string keys ``pk``/``sk``): no engine to run.

Item layout (see ``docs/search.md``), ``pk`` / ``sk`` → attributes:

* ``TERM#<term>`` / ``<99999 - weight, 5 digits>#<article id>`` → ``w`` (weight) and the
  facets ``lang``, ``host``, ``site``, ``date`` (one posting);
* ``DF#<term>`` / ``DF`` → ``n``, the number of articles holding the term;
* ``STATS#search`` / ``DOCS`` → ``n``, the number of indexed articles;
* ``DOC#<article id>`` / ``DOC`` → ``url``, ``title``, facets, ``text`` (its head, for snippets);
* ``DOC#<article id>`` / ``TERMS`` → ``terms`` ({term: weight}) and facets, as last indexed;
* ``DOC#<article id>`` / ``PLAN`` → an update in progress (below).

A Query on ``TERM#<term>`` in ascending ``sk`` order returns the heaviest postings first (ties
by article id) — the order ``core.search.ranking`` expects — and reads at most
``MAX_POSTINGS_PER_TERM`` of them.

Re-indexing must change each counter exactly once even if the process dies half-way and the
stream record is delivered again. ``index`` therefore first puts a ``PLAN`` (old and new
terms, a ``token``, ``step`` 0), then writes the doc item and the postings (idempotent), then
applies the counter changes in transactions of at most 99 ``ADD``s, each also moving the
plan's ``step`` from i to i + 1 under a condition; finally it writes ``TERMS`` and deletes the
plan. A later call finds an unfinished plan and completes it from its ``step`` first.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.adapters.aws.clients import AwsClients, error_code, required, translated
from core.errors import StorageError, VersionConflict
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

STATS_KEY = ("STATS#search", "DOCS")
_CONDITION_FAILED = {"ConditionalCheckFailedException"}
# A transaction holds at most 100 items: the plan's step update plus 99 counter changes.
COUNTERS_PER_TRANSACTION = 99
BATCH_WRITE_MAX = 25
BATCH_GET_MAX = 100
# Attempts for the entries a batch call leaves unprocessed (throttling), and for re-planning
# when another process holds the article's plan.
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


@dataclass
class _Plan:
    """An index update in progress for one article."""

    article_id: str
    old: dict[str, int]
    new: dict[str, int]
    old_facets: Facets
    facets: Facets
    doc_delta: int
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    step: int = 0

    def item(self) -> Item:
        return {
            **_key(f"DOC#{self.article_id}", "PLAN"),
            **_facet_attributes(self.facets),
            "old": _term_map(self.old),
            "new": _term_map(self.new),
            "old_facets": {"M": _facet_attributes(self.old_facets)},
            "doc_delta": {"N": str(self.doc_delta)},
            "token": {"S": self.token},
            "step": {"N": str(self.step)},
        }

    @classmethod
    def from_item(cls, article_id: str, item: Item) -> _Plan:
        return cls(
            article_id,
            _terms(item.get("old")),
            _terms(item.get("new")),
            _facets(item.get("old_facets", {}).get("M", {})),
            _facets(item),
            int(item["doc_delta"]["N"]),
            item["token"]["S"],
            int(item["step"]["N"]),
        )

    def counter_chunks(self) -> list[list[tuple[Item, int]]]:
        """The counter changes (key, delta), in fixed order, cut into transactions."""
        changes: list[tuple[Item, int]] = []
        if self.doc_delta:
            changes.append((_key(*STATS_KEY), self.doc_delta))
        changes += [(_key(f"DF#{t}", "DF"), +1) for t in sorted(self.new.keys() - self.old)]
        changes += [(_key(f"DF#{t}", "DF"), -1) for t in sorted(self.old.keys() - self.new)]
        size = COUNTERS_PER_TRANSACTION
        return [changes[i : i + size] for i in range(0, len(changes), size)]


class DynamoSearchIndex:
    """``SearchIndex`` on ``settings.index_table``."""

    def __init__(self, settings: Settings, clients: AwsClients | None = None) -> None:
        self.table = required(settings.index_table, "index_table")
        self.clients = clients or AwsClients(settings)

    def _db(self) -> DynamoDBClient:
        return self.clients.dynamodb()

    # -- writes -------------------------------------------------------------------------------

    def index(self, article: Article) -> None:
        for attempt in range(ATTEMPTS):
            if self._try_index(article):
                return
            _backoff(attempt)
        raise StorageError(f"index {article.id}: another writer kept the article busy")

    def _try_index(self, article: Article) -> bool:
        pending = self._get_item(f"DOC#{article.id}", "PLAN")
        if pending:
            self._finish(_Plan.from_item(article.id, pending))
        current = self._get_item(f"DOC#{article.id}", "TERMS") or {}
        old, old_facets = _terms(current.get("terms")), _facets(current)
        new = {t.term: t.weight for t in article_terms(article)}
        doc = IndexedDoc.of(article)
        if old == new and old_facets == doc.facets:
            if new:
                self._put_doc(doc)  # display fields or text may have changed
            return True
        plan = _Plan(article.id, old, new, old_facets, doc.facets, bool(new) - bool(old))
        try:
            with translated(f"plan index of {article.id}", conflict=_CONDITION_FAILED):
                self._db().put_item(
                    TableName=self.table,
                    Item=plan.item(),
                    ConditionExpression="attribute_not_exists(pk)",
                )
        except VersionConflict:
            logger.info("index %s: another process planned first, retrying", article.id)
            return False
        if new:
            self._put_doc(doc)
        else:
            with translated(f"delete search doc {article.id}"):
                self._db().delete_item(TableName=self.table, Key=_key(f"DOC#{article.id}", "DOC"))
        self._finish(plan)
        logger.debug("indexed %s: %d terms (%d before)", article.id, len(new), len(old))
        return True

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

    def _finish(self, plan: _Plan) -> None:
        """Complete ``plan`` from its step: postings, counters, committed terms, plan removed."""
        self._write_postings(plan)
        chunks = plan.counter_chunks()
        step = plan.step
        while step < len(chunks):
            if self._apply_counters(plan, step, chunks[step]):
                step += 1
                continue
            latest = self._get_item(f"DOC#{plan.article_id}", "PLAN")
            if latest is None or latest["token"]["S"] != plan.token:
                return  # another process completed this plan
            moved = int(latest["step"]["N"])
            if moved <= step:
                raise StorageError(f"index {plan.article_id}: counter step {step} rejected")
            step = moved
        terms_key = _key(f"DOC#{plan.article_id}", "TERMS")
        with translated(f"commit terms of {plan.article_id}"):
            if plan.new:
                self._db().put_item(
                    TableName=self.table,
                    Item={
                        **terms_key,
                        **_facet_attributes(plan.facets),
                        "terms": _term_map(plan.new),
                    },
                )
            else:
                self._db().delete_item(TableName=self.table, Key=terms_key)
        try:
            with translated(f"drop plan of {plan.article_id}", conflict=_CONDITION_FAILED):
                self._db().delete_item(
                    TableName=self.table,
                    Key=_key(f"DOC#{plan.article_id}", "PLAN"),
                    ConditionExpression="#t = :t",
                    ExpressionAttributeNames={"#t": "token"},
                    ExpressionAttributeValues={":t": {"S": plan.token}},
                )
        except VersionConflict:
            logger.info("plan of %s already dropped by another process", plan.article_id)

    def _write_postings(self, plan: _Plan) -> None:
        article_id = plan.article_id
        requests: list[Item] = [
            {"DeleteRequest": {"Key": _key(f"TERM#{term}", posting_sort_key(weight, article_id))}}
            for term, weight in sorted(plan.old.items())
            if plan.new.get(term) != weight
        ]
        facets = _facet_attributes(plan.facets)
        requests += [
            {
                "PutRequest": {
                    "Item": {
                        **_key(f"TERM#{term}", posting_sort_key(weight, article_id)),
                        **facets,
                        "w": {"N": str(weight)},
                    }
                }
            }
            for term, weight in sorted(plan.new.items())
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

    def _apply_counters(self, plan: _Plan, step: int, changes: list[tuple[Item, int]]) -> bool:
        """One counter transaction; False when the plan's step had already moved on."""
        advance: Any = {
            "Update": {
                "TableName": self.table,
                "Key": _key(f"DOC#{plan.article_id}", "PLAN"),
                "UpdateExpression": "SET #s = :next",
                "ConditionExpression": "#s = :step AND #t = :t",
                "ExpressionAttributeNames": {"#s": "step", "#t": "token"},
                "ExpressionAttributeValues": {
                    ":step": {"N": str(step)},
                    ":next": {"N": str(step + 1)},
                    ":t": {"S": plan.token},
                },
            }
        }
        counters: list[Any] = [
            {
                "Update": {
                    "TableName": self.table,
                    "Key": key,
                    "UpdateExpression": "ADD n :d",
                    "ExpressionAttributeValues": {":d": {"N": str(delta)}},
                }
            }
            for key, delta in changes
        ]
        try:
            with translated(f"count terms of {plan.article_id}"):
                self._db().transact_write_items(TransactItems=[advance, *counters])
        except StorageError as error:
            if error_code(error.__cause__ or error) == "TransactionCanceledException":
                return False
            raise
        return True

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
        counters = self._batch_get([STATS_KEY, *((f"DF#{t}", "DF") for t in terms)])
        count = _count(counters.get(STATS_KEY))
        df = {t: _count(counters.get((f"DF#{t}", "DF"))) for t in terms}
        postings = {term: self._postings(term) for term in terms}
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
    time.sleep(random.uniform(0, BASE_DELAY_S * 2**attempt))
