"""Loaded at start-up by a bundle process of the deployed-shape test (``PYTHONPATH``).

Every botocore client the function creates, its own or a library's, gets a hook that appends
each API call (service, operation, parameters) as one JSON line to ``$DEPLOYED_TEST_CALL_LOG``,
so the test can check each call against the function's IAM role. Calls are recorded before
they are sent, so a call the role forbids is caught even though moto does not enforce IAM.
Standard library plus the bundle's own botocore; nothing is recorded when the variable is unset.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

_LOG = os.environ.get("DEPLOYED_TEST_CALL_LOG")
_lock = threading.Lock()
_DROP = {"Body"}  # payloads: large and irrelevant to authorisation


def _record(service: str, params: dict[str, Any], model: Any, **_: Any) -> None:
    line = json.dumps(
        {
            "service": service,
            "operation": model.name,
            "params": {k: v for k, v in params.items() if k not in _DROP},
        },
        default=lambda value: None,
    )
    with _lock, open(_LOG, "a", encoding="utf-8") as out:  # type: ignore[arg-type]
        out.write(line + "\n")


def _install() -> None:
    import botocore.session

    original = botocore.session.Session.create_client

    def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = original(self, *args, **kwargs)
        service = client.meta.service_model.signing_name
        client.meta.events.register(
            "before-parameter-build",
            lambda params, model, **kw: _record(service, params, model, **kw),
        )
        return client

    botocore.session.Session.create_client = create_client  # type: ignore[method-assign]


if _LOG:
    _install()
