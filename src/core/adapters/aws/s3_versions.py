"""The version log in S3, next to the raw pages of each article.

One small JSON object per content version (``core.adapters.raw_keys.version_key``), written
once (``If-None-Match: *``) and never tagged ``pending``, so the orphan lifecycle rule leaves it
alone. The key inverts the version number, so a prefix listing is newest first and a page
starts after the key of the version before which it continues.
"""

from __future__ import annotations

import logging

from core.adapters.aws.clients import AwsClients, error_code, required, translated
from core.adapters.aws.s3_raw_store import SSE
from core.adapters.raw_keys import version_key, versions_prefix
from core.settings import Settings
from core.versions import ArticleVersion

logger = logging.getLogger(__name__)

#: Largest listing page S3 answers.
MAX_KEYS = 1000


class S3VersionLog:
    """``VersionLog`` on the raw bucket."""

    def __init__(self, settings: Settings, clients: AwsClients | None = None) -> None:
        self.bucket = required(settings.raw_bucket, "raw_bucket")
        self.clients = clients or AwsClients(settings)

    def record(self, version: ArticleVersion) -> None:
        from botocore.exceptions import ClientError

        kept = version.model_copy(update={"current": False})
        key = version_key(kept.article_id, kept.content_version)
        with translated(f"put s3://{self.bucket}/{key}"):
            try:
                self.clients.s3().put_object(
                    Bucket=self.bucket,
                    Key=key,
                    Body=kept.model_dump_json().encode(),
                    ContentType="application/json",
                    ServerSideEncryption=SSE,
                    IfNoneMatch="*",
                )
            except ClientError as error:
                if error_code(error) != "PreconditionFailed":
                    raise
                logger.debug("version %s already kept", key)

    def list(self, article_id: str, *, before: int | None, limit: int) -> list[ArticleVersion]:
        if limit < 1:
            return []
        start_after = version_key(article_id, before) if before is not None and before >= 1 else ""
        with translated(f"list versions of {article_id}"):
            listing = self.clients.s3().list_objects_v2(
                Bucket=self.bucket,
                Prefix=versions_prefix(article_id),
                MaxKeys=min(limit, MAX_KEYS),
                StartAfter=start_after,
            )
            keys = [str(item["Key"]) for item in listing.get("Contents", [])]
            versions = []
            for key in keys[:limit]:
                body = self.clients.s3().get_object(Bucket=self.bucket, Key=key)["Body"].read()
                versions.append(ArticleVersion.model_validate_json(body))
        return versions
