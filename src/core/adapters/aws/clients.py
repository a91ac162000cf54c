"""Lazily created boto3 clients and the translation of AWS failures into domain errors.

Nothing here talks to AWS at import time: ``boto3`` is imported and each client created on
first use, so importing a handler is cheap and a local run never needs AWS credentials. Every
client uses botocore's *standard* retry mode (exponential backoff with jitter, retries on
throttling and transient errors) and honours ``Settings.aws_endpoint_url`` (the moto server in
tests).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal, cast

from core.errors import NotFound, StorageError, VersionConflict
from core.settings import Settings

if TYPE_CHECKING:
    import boto3
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

logger = logging.getLogger(__name__)

# Attempts include the first call; standard mode's default is 3.
MAX_ATTEMPTS = 5

ServiceName = Literal["s3", "dynamodb", "sqs", "events", "secretsmanager"]


def s3_config(endpoint_url: str | None) -> dict[str, Any]:
    """S3 client options: SigV4 (presigned URLs too: S3 refuses SigV2 on buckets created since
    2020) on the bucket's regional virtual host (``bucket.s3.<region>.amazonaws.com``; botocore
    would otherwise presign for the global ``s3.amazonaws.com`` outside us-east-1). With an
    endpoint override (moto, LocalStack) the bucket goes in the path instead."""
    return {
        "signature_version": "s3v4",
        "s3": {
            "addressing_style": "path" if endpoint_url else "virtual",
            "us_east_1_regional_endpoint": "regional",
        },
    }


class AwsClients:
    """One boto3 session and one client per service, created on first use (thread-safe)."""

    def __init__(self, settings: Settings, *, session: boto3.Session | None = None) -> None:
        self.settings = settings
        self._session = session
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _client(self, service: ServiceName) -> Any:
        client = self._clients.get(service)
        if client is not None:
            return client
        with self._lock:  # boto3 sessions are not thread-safe; clients are.
            client = self._clients.get(service)
            if client is None:
                import boto3
                from botocore.config import Config

                if self._session is None:
                    self._session = boto3.session.Session()
                config = Config(retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS})
                if service == "s3":
                    config = config.merge(Config(**s3_config(self.settings.aws_endpoint_url)))
                client = self._session.client(
                    service,
                    endpoint_url=self.settings.aws_endpoint_url,
                    config=config,
                )
                logger.debug("created %s client", service)
                self._clients[service] = client
        return client

    def s3(self) -> S3Client:
        """The S3 client."""
        return cast("S3Client", self._client("s3"))

    def dynamodb(self) -> DynamoDBClient:
        """The DynamoDB client."""
        return cast("DynamoDBClient", self._client("dynamodb"))

    def sqs(self) -> SQSClient:
        """The SQS client."""
        return cast("SQSClient", self._client("sqs"))

    def events(self) -> EventBridgeClient:
        """The EventBridge client."""
        return cast("EventBridgeClient", self._client("events"))

    def secretsmanager(self) -> Any:
        """The Secrets Manager client (the webhook signing key)."""
        return self._client("secretsmanager")


def required(value: str | None, setting: str) -> str:
    """``value``, or a ``StorageError`` naming the missing ``ARTICLE_INGEST_*`` variable."""
    if not value:
        raise StorageError(f"ARTICLE_INGEST_{setting.upper()} is not set (backend=aws)")
    return value


def error_code(error: BaseException | None) -> str:
    """The AWS error code of a botocore ``ClientError`` (empty for anything else)."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


@contextmanager
def translated(
    action: str,
    *,
    not_found: Collection[str] = (),
    conflict: Collection[str] = (),
) -> Iterator[None]:
    """Turn botocore failures in the block into NotFound, VersionConflict or StorageError."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as error:
        code = error_code(error)
        if code in not_found:
            raise NotFound(f"{action}: not found ({code})") from error
        if code in conflict:
            raise VersionConflict(f"{action}: lost a conditional write ({code})") from error
        logger.warning("%s failed: %s", action, error)
        raise StorageError(f"{action} failed: {code or error}") from error
    except BotoCoreError as error:
        logger.warning("%s failed: %s", action, error)
        raise StorageError(f"{action} failed: {error}") from error
