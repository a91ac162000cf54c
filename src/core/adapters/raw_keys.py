"""The raw store's key layout, shared by the filesystem and S3 adapters.

    raw/<id[:2]>/<id>/<content_sha256>.html.gz     the page exactly as it arrived
    raw/<id[:2]>/<id>/text-<text_sha256>.txt.gz    an article text too long for DynamoDB
    raw/<id[:2]>/<id>/versions/<10**10 - n>.json   content version n (S3 version log; the
                                                   inverted number lists newest first)

A key is derived from the article id and the SHA-256 of its content, so it never changes
meaning and a second write of the same bytes is a no-op.
"""

from __future__ import annotations

import hashlib
import re

from core.errors import InvalidInput
from core.ports import RawPage
from core.versions import MAX_CONTENT_VERSION  # the key inverts the number within 10 digits

_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def check_id(article_id: str) -> str:
    """``article_id`` if it is usable in a key; raises ``InvalidInput`` otherwise."""
    if not _ID.match(article_id):
        raise InvalidInput(f"article id not usable in a key: {article_id!r}")
    return article_id


def raw_key(article_id: str, content_sha256: str) -> str:
    """The immutable key of one raw page."""
    if not _SHA256.match(content_sha256):
        raise InvalidInput(
            f"content_sha256 is not a lowercase SHA-256 hex digest: {content_sha256!r}"
        )
    return f"raw/{article_id[:2]}/{check_id(article_id)}/{content_sha256}.html.gz"


def text_key(article_id: str, text_sha256: str) -> str:
    """The immutable key of an article text kept out of the metadata store."""
    return f"raw/{article_id[:2]}/{check_id(article_id)}/text-{text_sha256}.txt.gz"


def versions_prefix(article_id: str) -> str:
    """The key prefix under which the versions of one article are kept."""
    return f"raw/{article_id[:2]}/{check_id(article_id)}/versions/"


def version_key(article_id: str, content_version: int) -> str:
    """The key of content version ``content_version`` (newest sorts first)."""
    if not 1 <= content_version <= MAX_CONTENT_VERSION:
        raise InvalidInput(f"content version out of range: {content_version}")
    return f"{versions_prefix(article_id)}{10**10 - content_version:010d}.json"


def verified_key(page: RawPage) -> str:
    """The key of ``page`` after checking that its hash really is the hash of its body."""
    key = raw_key(page.article_id, page.content_sha256)
    if hashlib.sha256(page.body).hexdigest() != page.content_sha256:
        raise InvalidInput(f"content_sha256 does not match the body of {page.article_id}")
    return key
