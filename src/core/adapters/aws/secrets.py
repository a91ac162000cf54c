"""Secrets Manager: the webhook signing key, read once per process by ``core.services``."""

from __future__ import annotations

from core.adapters.aws.clients import AwsClients, translated
from core.settings import Settings


def read_secret(settings: Settings, secret_id: str) -> str:
    """The string value of ``secret_id``; ``StorageError`` when it cannot be read."""
    with translated("read the webhook signing secret"):
        found = AwsClients(settings).secretsmanager().get_secret_value(SecretId=secret_id)
    return str(found["SecretString"])
