"""``SearchIndex`` on the DynamoDB index table: a complete index in packed posting blocks.

Every distinct term of every article is indexed (``core.search.terms``), packed so that the
writes are few and large (``docs/search.md``). Items: ``core.adapters.aws.search_table``.

``index(article)`` reads the article's ``TERMS`` state (generation, digest), writes its ``DOC``
(display fields, facets, compressed text) and, when its terms changed, a pending item with the
new generation's terms and a tombstone for the previous generation, then commits ``TERMS``
conditionally on the generation it read (a concurrent indexer of the same article makes it
start again). An article becoming indexed or leaving the index is then added to one of
``STATS_SHARDS`` count shards (``_count``; no transaction). When enough pending items have
gathered the indexer compacts them into blocks (``core.adapters.aws.search_compaction``).

``search`` plans the query (``core.search.ranking.plan``), reads the tombstones, the pending
items and every block of the buckets its terms live in, keeps the live postings, scores, and
reads the ``DOC`` items of the best candidates: to build hits, and, when the query has a filter
or a phrase, to apply it (walking down the ranking until ``limit`` hits are certain).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from typing import Any

from core.adapters.aws.clients import AwsClients, required, translated
from core.adapters.aws.search_compaction import Compactor, tombstones
from core.adapters.aws.search_table import (
    ATTEMPTS,
    PENDING_PK,
    STATS_PK,
    TOMBSTONES_PK,
    Item,
    SearchTable,
    backoff,
    block_pk,
    doc_pk,
    facet_attributes,
    facets_of,
    key,
    parse_version,
    version_sk,
)
from core.errors import StorageError, VersionConflict
from core.models import Article, PageType
from core.ports import SearchHit
from core.search import (
    IndexedDoc,
    Lookup,
    Query,
    Ranked,
    SearchFilters,
    article_terms,
    check_limit,
    confirmed,
    parse_query,
    plan,
    score,
    to_hit,
)
from core.search.highlight import matches
from core.search.packed import (
    bucket_of,
    compress_text,
    decode_block,
    decode_terms,
    decompress_text,
    encode_terms,
)
from core.settings import Settings

logger = logging.getLogger(__name__)

# Shards of the document count: concurrent indexers rarely touch the same one.
STATS_SHARDS = 16
# The stored text, compressed, stays under this (DynamoDB items are at most 400 KB).
MAX_TEXT_BYTES = 300_000
# DOC items read per round when filters or phrase checks walk down the ranking, and at most.
DOC_PAGE = 100
MAX_CHECKED = 1_000
_LOST = ("ConditionalCheckFailedException",)
# ``TERMS`` attribute: a committed live change not yet added to the count shard (+1 / -1).
_UNCOUNTED = "uncounted"

Postings = dict[str, dict[str, int]]


def stats_shard(article_id: str) -> str:
    """``sk`` of the document-count shard an article is counted on."""
    digest = hashlib.sha256(article_id.encode()).digest()
    return f"DOCS#{int.from_bytes(digest[:2], 'big') % STATS_SHARDS:02d}"


def terms_digest(terms: dict[str, int]) -> str:
    """A digest of an article's weighted terms: equal digests, nothing to re-index."""
    encoded = json.dumps(sorted(terms.items()), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()[:32]


def _text_blob(text: str) -> bytes:
    blob = compress_text(text)
    while len(blob) > MAX_TEXT_BYTES:  # incompressible: keep a shorter head
        text = text[: len(text) * 3 // 4]
        blob = compress_text(text)
    return blob


class _Raced(Exception):
    """Another indexer committed this article meanwhile."""


class DynamoSearchIndex:
    """``SearchIndex`` on ``settings.index_table``."""

    def __init__(self, settings: Settings, clients: AwsClients | None = None) -> None:
        self.table = SearchTable(
            required(settings.index_table, "index_table"), clients or AwsClients(settings)
        )
        self.compactor = Compactor(self.table)

    # -- writes -------------------------------------------------------------------------------

    def index(self, article: Article) -> None:
        for attempt in range(ATTEMPTS):
            try:
                self._index_once(article)
                return
            except _Raced:
                logger.info("article %s was indexed concurrently; again", article.id)
                backoff(attempt)
        raise StorageError(f"index {article.id}: concurrent updates kept winning")

    def compact(self) -> int:
        """Compact the pending items now (normally the indexer does when enough gathered)."""
        return self.compactor.run()

    def _index_once(self, article: Article) -> None:
        state = self.table.get(doc_pk(article.id), "TERMS")
        if state is not None and _UNCOUNTED in state:  # an earlier run stopped before counting
            self._count(article.id, state)
        generation = int(state["gen"]["N"]) if state and "gen" in state else 0
        was_live = state is not None and state.get("live", {"BOOL": True})["BOOL"]
        terms = {t.term: t.weight for t in article_terms(article)}
        digest = terms_digest(terms)
        if terms:
            self._put_doc(IndexedDoc.of(article))  # display fields or facets may have changed
        else:
            with translated(f"delete search doc {article.id}"):
                self.table.db().delete_item(
                    TableName=self.table.table, Key=key(doc_pk(article.id), "DOC")
                )
        if state is not None and was_live and terms:
            if state.get("digest", {}).get("S") == digest:
                return  # same terms: nothing to re-index
        elif not terms and not was_live:
            return  # not indexed, and nothing to index
        new_generation = generation + 1
        requests: list[Item] = []
        if terms:
            pending = {
                **key(PENDING_PK, version_sk(article.id, new_generation)),
                "z": {"B": encode_terms(terms)},
            }
            requests.append({"PutRequest": {"Item": pending}})
        if was_live:
            now = {"N": str(int(time.time()))}
            old = version_sk(article.id, generation)
            requests.append({"PutRequest": {"Item": {**key(TOMBSTONES_PK, old), "at": now}}})
            requests.append({"DeleteRequest": {"Key": key(PENDING_PK, old)}})
        self.table.batch_write(requests, f"write pending terms of {article.id}")
        self._commit(article.id, state, new_generation, digest, bool(terms))
        logger.debug("indexed %s: generation %d, %d terms", article.id, new_generation, len(terms))
        if terms and self.compactor.due():
            self.compactor.run()

    def _put_doc(self, doc: IndexedDoc) -> None:
        item = {
            **key(doc_pk(doc.id), "DOC"),
            **facet_attributes(doc.facets),
            "url": {"S": doc.url},
            "z": {"B": _text_blob(doc.text)},
        }
        if doc.title is not None:
            item["title"] = {"S": doc.title}
        with translated(f"put search doc {doc.id}"):
            self.table.db().put_item(TableName=self.table.table, Item=item)

    def _commit(
        self, article_id: str, state: Item | None, generation: int, digest: str, live: bool
    ) -> None:
        """Write ``TERMS`` if it still holds the generation read; count a live change."""
        was_live = state is not None and state.get("live", {"BOOL": True})["BOOL"]
        item = {
            **key(doc_pk(article_id), "TERMS"),
            "gen": {"N": str(generation)},
            "digest": {"S": digest},
            "live": {"BOOL": live},
        }
        if was_live != live:  # the count change still to apply, until it is
            item[_UNCOUNTED] = {"N": "1" if live else "-1"}
        put: Any = {"TableName": self.table.table, "Item": item}
        if state is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        elif "gen" not in state:  # written by the top-K index of earlier releases
            put["ConditionExpression"] = "attribute_exists(pk) AND attribute_not_exists(gen)"
        else:
            put["ConditionExpression"] = "gen = :gen"
            put["ExpressionAttributeValues"] = {":gen": state["gen"]}
        try:
            with translated(f"commit terms of {article_id}", conflict=_LOST):
                self.table.db().put_item(**put)
        except VersionConflict as error:
            raise _Raced from error
        if was_live != live:
            self._count(article_id, item)

    def _count(self, article_id: str, state: Item) -> None:
        """Add a committed ``TERMS``' uncounted change to its count shard, then clear it.

        A process that stops between the two leaves the mark, and the next ``index`` of the
        article (the stream's retry) counts it: no transaction, so no item is ever locked.
        """
        with translated(f"count {article_id}"):
            self.table.db().update_item(
                TableName=self.table.table,
                Key=key(STATS_PK, stats_shard(article_id)),
                UpdateExpression="ADD n :d",
                ExpressionAttributeValues={":d": state[_UNCOUNTED]},
            )
        try:
            with translated(f"mark {article_id} counted", conflict=_LOST):
                self.table.db().update_item(
                    TableName=self.table.table,
                    Key=key(doc_pk(article_id), "TERMS"),
                    UpdateExpression="REMOVE #u",
                    ConditionExpression="gen = :gen",
                    ExpressionAttributeNames={"#u": _UNCOUNTED},
                    ExpressionAttributeValues={":gen": state["gen"]},
                )
        except VersionConflict:
            logger.info("article %s moved on while being counted", article_id)

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
        page_type: PageType | None = None,
    ) -> list[SearchHit]:
        filters = SearchFilters(language, site, since, until, page_type)
        check_limit(limit)
        parsed = parse_query(query, language)
        lookups = plan(parsed, language)
        if not lookups:
            return []
        count = sum(int(item.get("n", {"N": "0"})["N"]) for item in self.table.query(STATS_PK))
        ranked = score(lookups, self._postings(lookups), count)
        if not filters and not any(lookup.verify for lookup in lookups):
            top = ranked[:limit]
            docs = self._docs([r.article_id for r in top])
            return [to_hit(r, docs[r.article_id], parsed) for r in top if r.article_id in docs]
        return self._checked(ranked, lookups, parsed, filters, limit)

    def _postings(self, lookups: list[Lookup]) -> Postings:
        """The live postings of every term the lookups ask for: {term: {article id: weight}}."""

        def wanted(term: str) -> bool:
            return any(lookup.holds(term) for lookup in lookups)

        dead = tombstones(self.table)
        live: dict[str, dict[str, tuple[int, int]]] = {}

        def add(term: str, article_id: str, generation: int, weight: int) -> None:
            if (article_id, generation) in dead:
                return
            held = live.setdefault(term, {})
            if article_id not in held or held[article_id][0] < generation:
                held[article_id] = (generation, weight)

        # Pending before blocks: an item compacted in between is then read in both, not neither.
        for item in self.table.query(PENDING_PK):
            article_id, generation = parse_version(item["sk"]["S"])
            for term, weight in decode_terms(item["z"]["B"]).items():
                if wanted(term):
                    add(term, article_id, generation, weight)
        buckets = sorted({bucket_of(k) for lookup in lookups for k in lookup.keys})
        for bucket in buckets:
            for item in self.table.query(block_pk(bucket)):
                for entry in decode_block(item["z"]["B"], wanted):
                    add(entry.term, entry.article_id, entry.generation, entry.weight)
        # An article holds one live generation; an older one not yet tombstoned (an update in
        # progress) is superseded by the newer one in every term.
        newest: dict[str, int] = {}
        for held in live.values():
            for article_id, (generation, _) in held.items():
                newest[article_id] = max(newest.get(article_id, 0), generation)
        return {
            term: {a: w for a, (g, w) in held.items() if g == newest[a]}
            for term, held in live.items()
        }

    def _docs(self, article_ids: list[str]) -> dict[str, IndexedDoc]:
        items = self.table.batch_get([(doc_pk(a), "DOC") for a in article_ids])
        return {
            article_id: _doc(article_id, item)
            for article_id in article_ids
            if (item := items.get((doc_pk(article_id), "DOC"))) is not None
        }

    def _checked(
        self,
        ranked: list[Ranked],
        lookups: list[Lookup],
        parsed: Query,
        filters: SearchFilters,
        limit: int,
    ) -> list[SearchHit]:
        """Walk down ``ranked`` applying filters and text checks until the top is certain.

        A text check can only lower a score, so once ``limit`` accepted hits score at least as
        much as the next unread candidate, no later candidate can enter the top.
        """
        accepted: list[tuple[Ranked, IndexedDoc]] = []
        position = 0
        while position < min(len(ranked), MAX_CHECKED):
            page = ranked[position : position + DOC_PAGE]
            position += len(page)
            docs = self._docs([r.article_id for r in page])
            for candidate in page:
                doc = docs.get(candidate.article_id)
                if doc is None or not filters.admits(doc.facets):
                    continue
                text = f"{doc.title or ''}\n{doc.text}"
                held = [not lookup.verify or _holds(text, lookup) for lookup in lookups]
                kept = confirmed(candidate, lookups, held)
                if kept is not None:
                    accepted.append((kept, doc))
            accepted.sort(key=lambda pair: (-pair[0].score, pair[0].article_id))
            if len(accepted) >= limit and (
                position >= len(ranked) or accepted[limit - 1][0].score >= ranked[position].score
            ):
                break
        return [to_hit(r, doc, parsed) for r, doc in accepted[:limit]]


def _holds(text: str, lookup: Lookup) -> bool:
    return matches(text, Query((lookup.clause,)))


def _doc(article_id: str, item: Item) -> IndexedDoc:
    title = item["title"]["S"] if "title" in item else None
    text = decompress_text(item["z"]["B"]) if "z" in item else item.get("text", {}).get("S", "")
    return IndexedDoc(article_id, item["url"]["S"], title, facets_of(item), text)
