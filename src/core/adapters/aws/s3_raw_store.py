"""Raw page bytes in S3: gzip at rest, immutable keys, server-side encryption, orphan tagging.

Key layout: ``core.adapters.raw_keys`` (shared with the filesystem store)::

    raw/<id[:2]>/<id>/<content_sha256>.html.gz     the page exactly as it arrived
    raw/<id[:2]>/<id>/text-<text_sha256>.txt.gz    an article text too long for DynamoDB

A key is derived from the article id and the SHA-256 of its content, so it never changes
meaning: writes use ``If-None-Match: *`` and a second write of the same bytes is a no-op.

Orphans. Every object is created with the tag ``ingest-state=pending``; the article store
re-tags it ``linked`` *before* its conditional DynamoDB write that references it. The bucket's
lifecycle rule expires ``pending`` objects after a few days, so a failure between the object
write and the item write leaves only an orphan that S3 removes by itself, and an item never
points at an object that may expire (see ``docs/aws.md``).
"""

from __future__ import annotations

import gzip
import hashlib
import logging
from typing import Final
from urllib.parse import quote

from core.adapters.aws.clients import AwsClients, error_code, required, translated
from core.adapters.raw_keys import text_key, verified_key
from core.errors import NotFound
from core.ports import RawPage
from core.settings import Settings

logger = logging.getLogger(__name__)

SCHEME = "s3://"
STATE_TAG = "ingest-state"
PENDING = "pending"
LINKED = "linked"
SSE: Final = "AES256"

_MISSING = ("NoSuchKey", "404", "NotFound")
#: What S3 answers for a missing key when the caller lacks ``s3:ListBucket`` (and for an object
#: it may not read). For a reader the object is not there either way: NotFound, never a 503.
_FORBIDDEN = ("AccessDenied", "403", "Forbidden")
_UNREADABLE = (*_MISSING, *_FORBIDDEN)


class S3RawStore:
    """``RawHtmlStore`` on one S3 bucket (plus the object helpers the article store needs)."""

    def __init__(self, settings: Settings, clients: AwsClients | None = None) -> None:
        self.bucket = required(settings.raw_bucket, "raw_bucket")
        self.clients = clients or AwsClients(settings)

    # -- URIs ---------------------------------------------------------------------------------

    def uri(self, key: str) -> str:
        """``s3://bucket/key``."""
        return f"{SCHEME}{self.bucket}/{key}"

    def owns(self, uri: str) -> bool:
        """Whether ``uri`` names an object in this store's bucket."""
        return uri.startswith(f"{SCHEME}{self.bucket}/")

    def _key(self, uri: str) -> str:
        if not self.owns(uri):
            raise NotFound(f"not an object of s3://{self.bucket}: {uri}")
        return uri[len(SCHEME) + len(self.bucket) + 1 :]

    # -- RawHtmlStore -------------------------------------------------------------------------

    def put(self, page: RawPage) -> str:
        """Store the page gzip-compressed (idempotent) and return its ``s3://`` URI."""
        key = verified_key(page)
        metadata = {"article-id": page.article_id, "content-sha256": page.content_sha256}
        if page.charset:
            metadata["charset"] = page.charset
        self._put_object(key, page.body, page.content_type or "application/octet-stream", metadata)
        return self.uri(key)

    def get(self, uri: str) -> bytes:
        """The original bytes; ``NotFound`` when the object is missing."""
        key = self._key(uri)
        try:
            with translated(f"get {uri}", not_found=_UNREADABLE):
                response = self.clients.s3().get_object(Bucket=self.bucket, Key=key)
                data = response["Body"].read()
        except NotFound as missing:
            _warn_if_forbidden(missing, uri)
            raise
        return gzip.decompress(data)

    def exists(self, uri: str) -> bool:
        """Whether the object is stored (False for URIs of another store)."""
        if not self.owns(uri):
            return False
        try:
            with translated(f"head {uri}", not_found=_UNREADABLE):
                self.clients.s3().head_object(Bucket=self.bucket, Key=self._key(uri))
        except NotFound as missing:
            _warn_if_forbidden(missing, uri)
            return False
        return True

    def presigned_url(self, uri: str, expires_s: int) -> str:
        """A short-lived download URL for a raw page, served as an attachment.

        The object keeps ``Content-Encoding: gzip``, so HTTP clients receive the page's
        original bytes; the content type is overridden so a browser never renders it.
        """
        key = self._key(uri)
        filename = key.rsplit("/", 2)[-2] + ".html"  # the article id
        url: str = self.clients.s3().generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentType": "application/octet-stream",
                "ResponseContentDisposition": f'attachment; filename="{filename}"',
            },
            ExpiresIn=expires_s,
        )
        return url

    # -- Helpers for the article store --------------------------------------------------------

    def put_text(self, article_id: str, text: str) -> str:
        """Keep a long article text next to its raw pages; returns its URI (idempotent)."""
        data = text.encode("utf-8")
        key = text_key(article_id, hashlib.sha256(data).hexdigest())
        self._put_object(key, data, "text/plain; charset=utf-8", {"article-id": article_id})
        return self.uri(key)

    def get_text(self, uri: str) -> str:
        """A text stored by ``put_text``."""
        return self.get(uri).decode("utf-8")

    def link(self, uri: str) -> None:
        """Mark an object as referenced so the orphan lifecycle rule never expires it.

        Raises ``NotFound`` when the object does not exist: the caller must then not write an
        item pointing at it.
        """
        key = self._key(uri)
        with translated(f"link {uri}", not_found=_MISSING):
            self.clients.s3().put_object_tagging(
                Bucket=self.bucket,
                Key=key,
                Tagging={"TagSet": [{"Key": STATE_TAG, "Value": LINKED}]},
            )

    def _put_object(self, key: str, body: bytes, content_type: str, meta: dict[str, str]) -> None:
        from botocore.exceptions import ClientError

        data = gzip.compress(body, compresslevel=6, mtime=0)
        with translated(f"put s3://{self.bucket}/{key}"):
            try:
                self.clients.s3().put_object(
                    Bucket=self.bucket,
                    Key=key,
                    Body=data,
                    ContentType=content_type,
                    ContentEncoding="gzip",
                    ServerSideEncryption=SSE,
                    Metadata=meta,
                    Tagging=f"{STATE_TAG}={quote(PENDING)}",
                    IfNoneMatch="*",
                )
            except ClientError as error:
                if error_code(error) != "PreconditionFailed":
                    raise
                logger.debug("s3://%s/%s already stored", self.bucket, key)
                return
        logger.debug("stored s3://%s/%s (%d bytes gzip)", self.bucket, key, len(data))


def _warn_if_forbidden(missing: NotFound, uri: str) -> None:
    """Log a 403: either the key is missing and the role lacks ``s3:ListBucket``, or the role
    may not read it. Either way the caller sees NotFound; the operator sees why."""
    if error_code(missing.__cause__) in _FORBIDDEN:
        logger.warning(
            "S3 answered 403 for %s: the object is missing (and the role lacks s3:ListBucket)"
            " or the role may not read it",
            uri,
        )
