"""Run inside a built bundle under the Lambda Python: import a handler, invoke it with events.

Usage (cwd = ``.aws-sam/build/<Function>``, as ``/var/task`` on Lambda)::

    python3.12 lambda_invoke.py handlers.api.handler RESULT.json EVENT.json [EVENT.json ...]

It imports only what the bundle (plus the runtime's boto3) provides, like the Lambda runtime,
calls the handler once per event in one warm process, and writes a JSON list of
``{"event": path, "result": ...}`` or ``{"event": path, "error": traceback}`` to RESULT.json
(stdout is left to the handler's logs). Standard library only.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
import uuid
from pathlib import Path
from typing import Any


class Context:
    """The attributes of ``LambdaContext`` that Powertools reads."""

    function_name = "local-function"
    function_version = "$LATEST"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:local-function"
    log_group_name = "/aws/lambda/local-function"
    log_stream_name = "local"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())
        # The function's timeout (the caller passes the template's), counted from now.
        timeout_s = float(os.environ.get("LAMBDA_INVOKE_TIMEOUT_S", "30"))
        self.deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


def main(argv: list[str]) -> int:
    handler_path, result_path, *event_paths = argv
    sys.path.insert(0, str(Path.cwd()))
    module_name, _, function_name = handler_path.rpartition(".")
    handler = getattr(importlib.import_module(module_name), function_name)
    module_file = Path(sys.modules[module_name].__file__ or "").resolve()
    if not module_file.is_relative_to(Path.cwd().resolve()):
        raise SystemExit(f"{module_name} was imported from {module_file}, not from the bundle")
    results: list[dict[str, Any]] = []
    for path in event_paths:
        event = json.loads(Path(path).read_text(encoding="utf-8"))
        try:
            results.append({"event": path, "result": handler(event, Context())})
        except Exception:  # reported to the caller, which fails the check
            results.append({"event": path, "error": traceback.format_exc()})
    for sdk in ("boto3", "botocore"):  # the bundled SDK, never one from the runtime
        loaded = Path(getattr(sys.modules.get(sdk), "__file__", None) or Path.cwd()).resolve()
        if not loaded.is_relative_to(Path.cwd().resolve()):
            raise SystemExit(f"{sdk} was imported from {loaded}, not from the bundle")
    Path(result_path).write_text(json.dumps(results, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
