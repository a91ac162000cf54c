"""The Lambda runtime loop of the deployed-shape test, run inside a built bundle (stdlib only).

Usage (cwd = the bundle, as ``/var/task``)::

    python -s bootstrap.py HANDLER TIMEOUT_S

It imports the handler once (the cold start), then reads one JSON event per line on stdin and
answers one JSON line per event on the original stdout: ``{"result": ...}`` or ``{"error":
traceback}``, with the invocation's duration. Anything the function prints goes to stderr, like
a function's logs. The context gives the function's configured timeout as remaining time.
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
    """The ``LambdaContext`` attributes Powertools and the handlers read."""

    def __init__(self, timeout_s: float) -> None:
        name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        region = os.environ["AWS_REGION"]
        self.function_name = name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = int(os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"])
        self.invoked_function_arn = f"arn:aws:lambda:{region}:123456789012:function:{name}"
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = "deployed-test"
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def main(argv: list[str]) -> int:
    handler_path, timeout_s = argv[0], float(argv[1])
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # the function's prints are logs
    bundle = Path.cwd().resolve()
    module_name, _, function_name = handler_path.rpartition(".")
    started = time.perf_counter()
    handler = getattr(importlib.import_module(module_name), function_name)
    init_ms = (time.perf_counter() - started) * 1000
    for name in (module_name, "boto3", "botocore"):
        module = sys.modules.get(name)
        origin = Path(getattr(module, "__file__", None) or bundle).resolve()
        if module is not None and not origin.is_relative_to(bundle):
            raise SystemExit(f"{name} was imported from {origin}, not from the bundle")
    answers.write(json.dumps({"ready": True, "init_ms": init_ms}) + "\n")
    answers.flush()
    for line in sys.stdin:
        event = json.loads(line)
        started = time.perf_counter()
        try:
            answer: dict[str, Any] = {"result": handler(event, Context(timeout_s))}
        except Exception:  # the invocation failed; Lambda reports it as a function error
            answer = {"error": traceback.format_exc()}
        answer["duration_ms"] = (time.perf_counter() - started) * 1000
        answers.write(json.dumps(answer, default=str) + "\n")
        answers.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
