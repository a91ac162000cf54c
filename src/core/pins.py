"""Exact versions of the libraries whose private internals the code uses, checked at import.

``core.extract`` calls trafilatura's and htmldate's internal helpers, and ``handlers.problems``
reads Powertools' route tables. None of these is a stable API, so each library is pinned to
one version in ``pyproject.toml`` (and the lock files; ``tests/unit/test_pins.py`` keeps the
three equal), and a module that uses its internals calls ``require`` when it is imported: a
different version fails at once with a clear message instead of changing results quietly.
Results of internal calls are checked where they are used (``InternalsChanged``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

#: Distribution name → the version whose internals the code was written against.
PINNED: dict[str, str] = {
    "trafilatura": "2.3.1",
    "htmldate": "1.11.0",
    "aws-lambda-powertools": "3.37.0",
    "py3langid": "0.4.0",
}


class VersionMismatch(RuntimeError):
    """An installed library is not the version whose internals the code uses."""


class InternalsChanged(RuntimeError):
    """A library's internal call answered in a shape the code was not written for."""


def check_parameters(
    name: str, function: Callable[..., Any], expected: tuple[str, ...], user: str
) -> None:
    """Raise ``InternalsChanged`` unless ``function`` (the internal helper ``name`` that
    ``user`` calls) takes the ``expected`` parameters: checked at import, so that a changed
    helper fails loudly."""
    found = tuple(inspect.signature(function).parameters)
    if found != expected:
        raise InternalsChanged(
            f"{name} takes {found}, not {expected}: check {user} against the installed library"
        )


def require(distribution: str, found: str, user: str) -> None:
    """Raise ``VersionMismatch`` unless ``found`` is the pinned version of ``distribution``.

    ``found`` is the version the library reports (its ``__version__``: cheaper at import than
    ``importlib.metadata``); ``user`` names the module that relies on the internals.
    """
    expected = PINNED[distribution]
    if found != expected:
        raise VersionMismatch(
            f"{user} uses private internals of {distribution} {expected}, but {distribution} "
            f"{found} is installed: install {distribution}=={expected} (pyproject.toml pins it), "
            f"or check {user} against {found} and update core.pins.PINNED"
        )
