"""The webhook delivery queue on SQS (fed to the delivery function, DLQ behind it)."""

from __future__ import annotations

from core.adapters.aws.clients import AwsClients, required, translated
from core.batches.models import WebhookDelivery
from core.errors import InvalidInput
from core.settings import Settings

MAX_DELAY_S = 900


class SqsWebhookQueue:
    """``WebhookQueue`` on the queue named by ``settings.webhook_queue_url``."""

    def __init__(self, settings: Settings, clients: AwsClients | None = None) -> None:
        self.queue_url = required(settings.webhook_queue_url, "webhook_queue_url")
        self.clients = clients or AwsClients(settings)

    def send_delivery(self, delivery: WebhookDelivery, *, delay_s: int = 0) -> None:
        if not 0 <= delay_s <= MAX_DELAY_S:
            raise InvalidInput(f"delay_s must be within 0..{MAX_DELAY_S}, not {delay_s}")
        with translated("SQS SendMessage (webhook)"):
            self.clients.sqs().send_message(
                QueueUrl=self.queue_url,
                MessageBody=delivery.model_dump_json(),
                DelaySeconds=delay_s,
            )
