"""The exported Article JSON Schema is the one the code produces."""

from __future__ import annotations

from scripts.export_schemas import TARGET, render


def test_exported_schema_matches_model() -> None:
    assert TARGET.read_text(encoding="utf-8") == render(), (
        "docs/schemas/article.schema.json is stale: run `python scripts/export_schemas.py`"
    )


def test_schema_lists_the_contract_fields() -> None:
    import json

    properties = json.loads(render())["properties"]
    for field in (
        "id",
        "url",
        "final_url",
        "canonical_url",
        "status",
        "title",
        "author",
        "date",
        "sitename",
        "hostname",
        "language",
        "description",
        "categories",
        "tags",
        "image",
        "text",
        "word_count",
        "content_sha256",
        "fingerprint",
        "raw_html_uri",
        "http_status",
        "content_type",
        "fetched_at",
        "error",
    ):
        assert field in properties, field
