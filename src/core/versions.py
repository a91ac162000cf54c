"""Content versions of an article: what counts as a change, the kept history, its listing.

A refetched page is a **new version** when its extracted title or text differ from the stored
ones (``text_sha256``). The raw bytes are not compared: many pages change on every load
(timestamps, tokens, ads) while their article does not. Same bytes, or different bytes with the
same text, only move ``checked_at`` (as an HTTP 304 does).

``Article.content_version`` numbers the versions (1, 2, …); ``Article.version`` stays the
counter of stored writes used by the conditional writes. The raw bytes of every version are
kept (their key holds their SHA-256, ``core.adapters.raw_keys``). When version *n + 1* is about
to be stored, version *n* is written to the ``VersionLog`` first (idempotent, derived from the
stored article), so the log holds every earlier version and the current one is the article
itself: a crash between the two writes loses nothing.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from core import cursor as cursors
from core.errors import InvalidCursor, NotFound
from core.models import Article
from core.ports import ArticleStore, VersionLog

#: Fields a check (a 304, or a refetch of the same text) may change: nothing else. The text is
#: left out of the comparison (it changes only with ``content_version``), so a change-stream
#: image need not load a long text kept out of the item.
CHECK_FIELDS = frozenset({"version", "updated_at", "checked_at", "etag", "last_modified"})
_NOT_COMPARED = CHECK_FIELDS | {"text"}


class ArticleVersion(BaseModel):
    """One content version of an article."""

    article_id: str
    content_version: int = Field(ge=1, description="1 for the first text, then +1 per change.")
    changed_at: datetime | None = Field(
        default=None, description="When this version was first fetched."
    )
    current: bool = Field(default=False, description="Whether this is the stored article.")
    title: str | None = None
    final_url: str | None = None
    http_status: int | None = None
    content_sha256: str | None = Field(default=None, description="SHA-256 of its raw bytes.")
    text_sha256: str = Field(description="SHA-256 of its title and text (what is compared).")
    raw_html_uri: str | None = Field(default=None, description="Where its raw bytes are kept.")

    @classmethod
    def of(cls, article: Article, *, current: bool = False) -> ArticleVersion:
        """The version ``article`` holds (its ``content_version`` must be at least 1)."""
        return cls(
            article_id=article.id,
            content_version=article.content_version,
            changed_at=article.changed_at or article.fetched_at,
            current=current,
            title=article.title,
            final_url=article.final_url,
            http_status=article.http_status,
            content_sha256=article.content_sha256,
            text_sha256=text_sha256(article),
            raw_html_uri=article.raw_html_uri,
        )


class VersionPage(BaseModel):
    """One page of an article's versions, newest first; ``next_cursor`` is None on the last."""

    article_id: str
    items: list[ArticleVersion]
    next_cursor: str | None = None


def text_sha256(article: Article) -> str:
    """The hash compared between two fetches: title and text, as extracted."""
    data = f"{article.title or ''}\n\n{article.text or ''}".encode()
    return hashlib.sha256(data).hexdigest()


def is_check_only(old: Article, new: Article) -> bool:
    """Whether the write from ``old`` to ``new`` only recorded a check (``CHECK_FIELDS``)."""
    return old.model_dump(exclude=set(_NOT_COMPARED)) == new.model_dump(exclude=set(_NOT_COMPARED))


def last_checked(article: Article) -> datetime | None:
    """When the page was last fetched or confirmed unchanged (aware), or None."""
    moments = [m for m in (article.checked_at, article.fetched_at) if m is not None]
    if not moments:
        return None
    return max(m if m.tzinfo else m.replace(tzinfo=UTC) for m in moments)


def is_fresh(article: Article, max_age_s: int | None, now: datetime | None = None) -> bool:
    """Whether ``article`` was checked within ``max_age_s`` seconds (never without a max age)."""
    checked = last_checked(article)
    if max_age_s is None or checked is None:
        return False
    return ((now or datetime.now(UTC)) - checked).total_seconds() <= max_age_s


#: The largest content version (the S3 version log's keys hold ten digits).
MAX_CONTENT_VERSION = 10**10 - 1


def version_raw_uri(article: Article, log: VersionLog, content_version: int) -> str:
    """Where the raw bytes of ``content_version`` of ``article`` are kept; ``NotFound`` when
    the article has no such version (or kept no bytes for it)."""
    if content_version == article.content_version or (
        content_version == 1 and article.content_version == 0 and article.text
    ):
        uri = article.raw_html_uri
    else:
        found = log.list(article.id, before=content_version + 1, limit=1)
        kept = found[0] if found and found[0].content_version == content_version else None
        uri = kept.raw_html_uri if kept else None
    if not uri or content_version > max(article.content_version, 1):
        raise NotFound(f"article {article.id} has no content version {content_version}")
    return uri


def encode_versions_cursor(before: int) -> str:
    """The cursor of the page of versions numbered below ``before``."""
    return cursors.encode_cursor({"before": before})


def decode_versions_cursor(cursor: str | None) -> int | None:
    """The version a page continues below; ``InvalidCursor`` for a cursor not issued here."""
    if cursor is None:
        return None
    state = cursors.decode_cursor(cursor)
    before = state.get("before") if isinstance(state, dict) else None
    if not isinstance(before, int) or isinstance(before, bool) or before < 1:
        raise InvalidCursor("invalid cursor: pass the next_cursor of the previous page")
    return before


def list_versions(
    articles: ArticleStore,
    log: VersionLog,
    article_id: str,
    *,
    limit: int = 20,
    cursor: str | None = None,
) -> VersionPage:
    """The versions of a stored article, newest (the current one) first; ``NotFound`` when
    there is no such article, ``InvalidCursor`` for a cursor not from a previous page."""
    article = articles.get(article_id)
    if article is None:
        raise NotFound(f"no article {article_id}")
    before = decode_versions_cursor(cursor)
    latest = article.content_version
    items: list[ArticleVersion] = []
    if latest < 1:
        return VersionPage(article_id=article_id, items=[])
    if before is None:
        items.append(ArticleVersion.of(article, current=True))
        before = latest
    older = log.list(article_id, before=min(before, latest), limit=limit - len(items) + 1)
    items += [v for v in older if v.content_version < latest]
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = encode_versions_cursor(items[-1].content_version)
    return VersionPage(article_id=article_id, items=items, next_cursor=next_cursor)
