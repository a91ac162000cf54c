"""Write the Article JSON Schema to docs/schemas/ (run after changing core.models)."""

from __future__ import annotations

import json
from pathlib import Path

from core.models import article_json_schema

TARGET = Path(__file__).resolve().parent.parent / "docs" / "schemas" / "article.schema.json"


def render() -> str:
    """The schema file's exact text."""
    return json.dumps(article_json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET}")
