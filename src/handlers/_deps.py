"""The handlers' dependencies: one ``Services`` per process, built lazily from ``Settings``.

Lambda builds it on the first invocation (not at import, keeping cold starts short); the local
server and tests install their own with ``use``.
"""

from __future__ import annotations

import logging
import threading

from core.services import Services
from core.settings import Settings

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_services: Services | None = None


def services() -> Services:
    """The process-wide ``Services`` (created from the environment on first use)."""
    global _services
    if _services is None:
        with _lock:
            if _services is None:
                _services = Services(Settings())
                logger.debug("services built for backend %s", _services.settings.backend)
    return _services


def use(replacement: Services | None) -> None:
    """Install ``replacement`` as the process-wide ``Services`` (None: rebuild from env)."""
    global _services
    with _lock:
        _services = replacement
