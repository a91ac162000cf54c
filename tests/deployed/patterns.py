"""EventBridge / Lambda filter patterns, as far as the template uses them.

A pattern is a JSON object whose leaves are lists of allowed values; a value matches when it is
in the list (a list value matches when any element is). Content filters (``prefix``,
``anything-but``, ``numeric``, ``exists``...) are refused loudly: the test must not pass a
pattern it does not understand.
"""

from __future__ import annotations

from typing import Any


def matches(pattern: dict[str, Any], document: Any) -> bool:
    """Whether ``document`` matches ``pattern``."""
    if not isinstance(document, dict):
        return False
    for key, rule in pattern.items():
        if key not in document:
            return False
        value = document[key]
        if isinstance(rule, dict):
            if not matches(rule, value):
                return False
            continue
        if not isinstance(rule, list):
            raise ValueError(f"pattern leaf {key!r} is not a list: {rule!r}")
        if any(isinstance(option, dict) for option in rule):
            raise NotImplementedError(f"content filter in pattern at {key!r}: {rule!r}")
        values = value if isinstance(value, list) else [value]
        if not any(v in rule for v in values):
            return False
    return True
