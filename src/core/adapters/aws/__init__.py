"""AWS adapters (boto3): S3 raw store, DynamoDB article store, SQS intake queue, EventBridge bus.

Importing this package creates no client and imports no AWS SDK; see ``clients``.
"""

from core.adapters.aws.clients import AwsClients
from core.adapters.aws.dynamodb_article_store import DynamoArticleStore
from core.adapters.aws.eventbridge_bus import EventBridgeBus
from core.adapters.aws.s3_raw_store import S3RawStore
from core.adapters.aws.sqs_queue import SqsIngestQueue

__all__ = ["AwsClients", "DynamoArticleStore", "EventBridgeBus", "S3RawStore", "SqsIngestQueue"]
