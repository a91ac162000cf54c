"""The index stage: what the indexer does with each change of a stored article.

* ``extracted`` → announce ``ArticleIngested``; complete the index data (language when missing,
  word count, reading time, SimHash), detect a near-duplicate at another URL, write the search
  entries, then mark the article ``indexed`` with a conditional write on the version we read.
* ``indexed`` → announce ``ArticleIndexed`` (and ``ArticleDuplicateDetected`` when linked);
  when the version indexed is a new content version (2 or more) of the page, just indexed
  (its previous image was ``extracted``), ``ArticleUpdated`` follows.
* a write that only recorded a check (``core.versions.is_check_only``: a 304 or the same
  text) announces nothing; an ``extracted`` article so touched is still indexed.
* ``failed`` → announce ``ArticleFailed``.

Events are derived from stored versions only, so the change stream acts as the outbox: a
crash before an event is published leaves the record un-acknowledged and it is replayed; the
replay yields the same event id, which consumers use to drop the copy.

Near-duplicates: a 64-bit SimHash split into 4 bands of 16 bits. Two fingerprints within
Hamming distance 3 agree on at least one band (pigeonhole), so looking up the 4 band buckets
finds every candidate; each bucket read is bounded. Of the article and the originals it
matches, the original is the copy whose URL is its own declared canonical, then the one with
the earliest publication date, then the one registered first (``preference``); the others get
``duplicate_of``. When a better original arrives, the original it replaces is re-pointed to
it (a new ``indexed`` version, so ``ArticleDuplicateDetected`` follows) and leaves search.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel

from core.errors import VersionConflict
from core.events import (
    ArticleDuplicateDetected,
    ArticleFailed,
    ArticleIndexed,
    ArticleIngested,
    ArticleUpdated,
)
from core.extract.language import detect_language
from core.extract.textstats import reading_time_minutes, word_count
from core.fingerprint import hamming_distance, simhash
from core.models import Article, ArticleStatus
from core.ports import ArticleStore, EventBus, FingerprintIndex, SearchIndex
from core.versions import is_check_only

logger = logging.getLogger(__name__)

BANDS = 4
BAND_BITS = 16
MAX_DISTANCE = 3
# SimHash of a handful of words is noise: short texts are never called duplicates.
MIN_WORDS_FOR_DUPLICATES = 50
# Entries read per band bucket (oldest first): bounds the work when a bucket is crowded.
CANDIDATES_PER_BAND = 50
# Originals (articles that are no copy) re-read from the article store, and the bound on all
# candidates read, before giving up on a link.
MAX_VERIFIED = 3
MAX_READ = 10
# Sorts after every real date: an article without one is never preferred for its date.
NO_DATE = "9999-12-31"


def bands(fingerprint: str) -> list[int]:
    """The 4 band values (16 bits each, most significant first) of a hex SimHash."""
    value = int(fingerprint, 16)
    mask = (1 << BAND_BITS) - 1
    return [(value >> (BAND_BITS * (BANDS - 1 - i))) & mask for i in range(BANDS)]


def preference(article: Article, registered_at: datetime) -> tuple[int, str, datetime, str]:
    """Sort key of candidate originals: the smallest is the original of the group."""
    date = (article.date or "")[:10] or NO_DATE
    return (0 if article.is_canonical else 1, date, registered_at, article.id)


@dataclass(frozen=True)
class Duplicate:
    """The earlier article a text duplicates."""

    article_id: str
    distance: int


@dataclass
class Indexer:
    """Handles article changes from the stream; safe to run twice on the same change."""

    articles: ArticleStore
    search: SearchIndex
    fingerprints: FingerprintIndex
    bus: EventBus

    def handle(self, article: Article, previous: Article | None = None) -> Article | None:
        """React to one stored version (``previous``: the version it replaced, when known);
        returns the ``indexed`` article written, if any."""
        if previous is not None and is_check_only(previous, article):
            # A check announces nothing; an ``extracted`` article still needs its index
            # (its ``ArticleIngested`` went out with the write before).
            if article.status is ArticleStatus.EXTRACTED:
                return self.index(article)
            return None
        if article.status is ArticleStatus.EXTRACTED:
            self.bus.publish([ArticleIngested.of(article)])
            return self.index(article)
        if article.status is ArticleStatus.INDEXED:
            events = list(self.indexed_events(article))
            just_indexed = previous is None or previous.status is ArticleStatus.EXTRACTED
            if article.content_version >= 2 and just_indexed:
                events.append(ArticleUpdated.of(article))
            self.bus.publish(events)
        elif article.status is ArticleStatus.FAILED:
            self.bus.publish([ArticleFailed.of(article)])
        return None

    def indexed_events(self, article: Article) -> Sequence[BaseModel]:
        """``ArticleIndexed``, preceded by ``ArticleDuplicateDetected`` when linked."""
        events: list[BaseModel] = []
        if article.duplicate_of:
            original = self.articles.get(article.duplicate_of)
            distance = (
                hamming_distance(article.fingerprint, original.fingerprint)
                if original and original.fingerprint and article.fingerprint
                else MAX_DISTANCE
            )
            events.append(ArticleDuplicateDetected.of(article, distance=distance))
        events.append(ArticleIndexed.of(article))
        return events

    def index(self, article: Article) -> Article | None:
        """Complete, link, search-index and mark ``indexed`` the version in ``article``.

        Returns None when a newer version was stored meanwhile (its own change follows).
        """
        text = article.text or ""
        words = word_count(text)
        fingerprint = article.fingerprint or simhash(text)
        duplicate, replaced = self.find_duplicate(article, fingerprint, words)
        indexed = article.model_copy(
            update={
                "status": ArticleStatus.INDEXED,
                "language": article.language or detect_language(text),
                "word_count": words,
                "reading_time_minutes": reading_time_minutes(words),
                "fingerprint": fingerprint,
                "duplicate_of": duplicate.article_id if duplicate else None,
                "error": None,
            }
        )
        # Search shows each story once: a near-duplicate keeps no search entries (the index
        # drops an article without text), so its original is the one that ranks.
        self.search.index(indexed.model_copy(update={"text": None}) if duplicate else indexed)
        try:
            stored = self.articles.put(indexed)
        except VersionConflict:
            current = self.articles.get(article.id)
            if current is not None and current.version > article.version:
                logger.info("article %s moved past v%d; skipping", article.id, article.version)
                return None
            raise
        if duplicate:
            logger.info("article %s duplicates %s", article.id, duplicate.article_id)
        for original in replaced:
            self.re_point(original, stored.id)
        return stored

    def re_point(self, original: Article, new_original: str) -> None:
        """Make the former ``original`` a copy of ``new_original`` and take it out of search."""
        current = self.articles.get(original.id)
        if (
            current is None
            or current.duplicate_of
            or current.status is not ArticleStatus.INDEXED
            or current.version != original.version
        ):
            logger.info("article %s changed meanwhile; its own change decides", original.id)
            return
        moved = current.model_copy(update={"duplicate_of": new_original})
        try:
            self.articles.put(moved)
        except VersionConflict:
            logger.info("article %s changed meanwhile; its own change decides", original.id)
            return
        self.search.index(moved.model_copy(update={"text": None}))
        logger.info("article %s is now a copy of %s", original.id, new_original)

    def find_duplicate(
        self, article: Article, fingerprint: str, words: int
    ) -> tuple[Duplicate | None, list[Article]]:
        """The original ``article`` copies, if any; else the originals it replaces (if any).

        Candidates are other articles within ``MAX_DISTANCE`` bits, read in registration order;
        copies are skipped (their original is a candidate too).
        """
        if words < MIN_WORDS_FOR_DUPLICATES:
            return None, []
        the_id = article.id
        registered_at = self.fingerprints.register(the_id, fingerprint)
        matches: dict[str, datetime] = {}
        for entry in self.fingerprints.candidates(fingerprint, per_band=CANDIDATES_PER_BAND):
            if entry.article_id == the_id:
                continue
            if hamming_distance(fingerprint, entry.fingerprint) <= MAX_DISTANCE:
                matches[entry.article_id] = entry.registered_at
        ordered = sorted(matches.items(), key=lambda item: (item[1], item[0]))
        originals: list[tuple[Article, datetime, int]] = []
        for candidate_id, candidate_registered in ordered[:MAX_READ]:
            original = self.articles.get(candidate_id)  # its text may have changed since
            if original is None or original.duplicate_of:
                continue
            distance = hamming_distance(fingerprint, original.fingerprint or fingerprint)
            if distance <= MAX_DISTANCE:
                originals.append((original, candidate_registered, distance))
                if len(originals) >= MAX_VERIFIED:
                    break
        if not originals:
            return None, []
        best, best_registered, distance = min(originals, key=lambda o: preference(o[0], o[1]))
        if preference(article, registered_at) < preference(best, best_registered):
            return None, [original for original, _, _ in originals]
        return Duplicate(best.id, distance), []
