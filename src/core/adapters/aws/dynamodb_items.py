"""Article <-> DynamoDB item (low-level attribute-value format, as in stream images).

Numbers travel as ``Decimal`` (DynamoDB has no float type) and ``None`` fields are left out, so
an absent attribute keeps an article out of the index keyed on it.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from core.adapters.aws.table_design import INTERNAL_ATTRIBUTES, TEXT_URI, index_attributes
from core.models import Article

# DynamoDB's hard limit is 400 KB; keep a margin for attribute names and type overhead.
MAX_ITEM_BYTES = 380_000


def _plain(value: Any) -> Any:
    """Decimals back to int/float, recursively."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def article_document(article: Article, *, text_uri: str | None) -> dict[str, Any]:
    """The item as plain Python values: the article's fields plus index keys (and text pointer)."""
    doc: dict[str, Any] = json.loads(
        article.model_dump_json(exclude_none=True), parse_float=Decimal
    )
    if text_uri is not None:
        doc.pop("text", None)
        doc[TEXT_URI] = text_uri
    doc.update(index_attributes(article))
    return doc


def estimated_size(doc: dict[str, Any]) -> int:
    """An upper bound of the item's DynamoDB size (JSON is never smaller than the wire size)."""
    return sum(len(k.encode()) + len(json.dumps(v, default=str).encode()) for k, v in doc.items())


def to_item(doc: dict[str, Any]) -> dict[str, Any]:
    """Plain document -> attribute-value item."""
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    return {k: serializer.serialize(v) for k, v in doc.items()}


def from_item(item: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Attribute-value item -> (Article fields, text URI if the text lives in S3)."""
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    doc = {k: _plain(deserializer.deserialize(v)) for k, v in item.items()}
    text_uri = doc.get(TEXT_URI)
    fields = {k: v for k, v in doc.items() if k not in INTERNAL_ATTRIBUTES}
    return fields, text_uri if isinstance(text_uri, str) else None
