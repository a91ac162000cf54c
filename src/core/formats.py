"""The output formats an article's content can be rendered in (no extraction imports here)."""

from __future__ import annotations

from typing import Literal

OutputFormat = Literal["txt", "markdown", "html", "xml", "json"]
OUTPUT_FORMATS: tuple[OutputFormat, ...] = ("txt", "markdown", "html", "xml", "json")
