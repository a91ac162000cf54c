"""Every recorded AWS call as IAM sees it (action + resource ARN), checked against a role.

moto does not enforce IAM for most services, so the test does: each call a function made (or
the Lambda service made on its behalf, as event source poller) must be allowed by an
``Allow`` statement of the function's role as created in the stack. A call this module cannot
translate to an action and a resource is reported, never silently allowed.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

#: Operations whose IAM action is not ``<prefix>:<Operation>``.
_ACTION = {
    ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "ListObjects"): "s3:ListBucket",
    ("s3", "HeadBucket"): "s3:ListBucket",
    ("sqs", "SendMessageBatch"): "sqs:SendMessage",
    ("sqs", "DeleteMessageBatch"): "sqs:DeleteMessage",
    ("sqs", "ChangeMessageVisibilityBatch"): "sqs:ChangeMessageVisibility",
}
#: TransactWriteItems needs, per item, the action of the item's kind.
_TRANSACT = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
    "Get": "dynamodb:GetItem",
}


@dataclass(frozen=True)
class Access:
    """One authorisation IAM evaluates: an action on a resource."""

    action: str
    resource: str


class Untranslatable(ValueError):
    """A recorded call this module cannot express as IAM accesses."""


def _table_arn(name: str, region: str, account: str) -> str:
    return name if name.startswith("arn:") else f"arn:aws:dynamodb:{region}:{account}:table/{name}"


def _queue_arn(url: str, region: str) -> str:
    account, name = urlsplit(url).path.strip("/").split("/")[-2:]
    return f"arn:aws:sqs:{region}:{account}:{name}"


def _bus_arn(name: str, region: str, account: str) -> str:
    return (
        name if name.startswith("arn:") else f"arn:aws:events:{region}:{account}:event-bus/{name}"
    )


def accesses(call: dict[str, Any], region: str, account: str) -> list[Access]:
    """The IAM accesses one recorded call needs."""
    service, operation, params = call["service"], call["operation"], call["params"]
    action = _ACTION.get((service, operation), f"{service}:{operation}")
    if service == "dynamodb":
        if operation in {"TransactWriteItems", "TransactGetItems"}:
            found = []
            for item in params["TransactItems"]:
                ((kind, body),) = item.items()
                found.append(
                    Access(_TRANSACT[kind], _table_arn(body["TableName"], region, account))
                )
            return found
        if operation in {"BatchGetItem", "BatchWriteItem"}:
            return [Access(action, _table_arn(t, region, account)) for t in params["RequestItems"]]
        if operation in {"DescribeStream", "GetShardIterator", "GetRecords"}:
            stream = params.get("StreamArn") or call["stream_arn"]
            return [Access(action, stream)]
        if "TableName" not in params:
            raise Untranslatable(f"{service}:{operation} without TableName")
        table = _table_arn(params["TableName"], region, account)
        if params.get("IndexName"):
            table = f"{table}/index/{params['IndexName']}"
        return [Access(action, table)]
    if service == "s3":
        bucket = params["Bucket"]
        if "Key" in params:
            return [Access(action, f"arn:aws:s3:::{bucket}/{params['Key']}")]
        return [Access(action, f"arn:aws:s3:::{bucket}")]
    if service == "sqs":
        return [Access(action, _queue_arn(params["QueueUrl"], region))]
    if service == "events" and operation == "PutEvents":
        buses = {entry.get("EventBusName") or "default" for entry in params["Entries"]}
        return [Access(action, _bus_arn(bus, region, account)) for bus in sorted(buses)]
    if service == "secretsmanager" and operation == "GetSecretValue":
        return [Access(action, str(params["SecretId"]))]  # the ARN (the template passes it)
    raise Untranslatable(f"no IAM translation for {service}:{operation}")


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def allowed(policy: dict[str, Any], access: Access) -> bool:
    """Whether an ``Allow`` statement of ``policy`` grants ``access`` (no ``Deny`` in roles)."""
    for statement in _listed_statements(policy):
        if statement.get("Effect") != "Allow" or "Condition" in statement:
            continue
        actions = _listed(statement.get("Action", []))
        resources = _listed(statement.get("Resource", []))
        if any(fnmatch.fnmatchcase(access.action.lower(), a.lower()) for a in actions) and any(
            fnmatch.fnmatchcase(access.resource, r) for r in resources
        ):
            return True
    return False


def _listed_statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    statements = policy.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def denied(
    calls: list[dict[str, Any]], policies: list[dict[str, Any]], region: str, account: str
) -> list[str]:
    """A line per recorded call the role does not allow (or that cannot be translated)."""
    problems = []
    for call in calls:
        try:
            needed = accesses(call, region, account)
        except (Untranslatable, KeyError) as error:
            problems.append(f"{call['service']}:{call['operation']}: {error}")
            continue
        for access in needed:
            if not any(allowed(policy, access) for policy in policies):
                problems.append(f"{access.action} on {access.resource}")
    return sorted(set(problems))
