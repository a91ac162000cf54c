"""AWS X-Ray tracing of the Lambda entry points (Powertools ``Tracer``), only where it is on.

The template's ``EnableTracing`` parameter sets ``Tracing: Active`` and
``POWERTOOLS_TRACE_DISABLED=false`` on every function. Only then, and only on Lambda, does
``capture_lambda_handler`` build a ``Tracer``: each invocation becomes a ``## handler``
subsegment and every AWS SDK call a subsegment below it. Everywhere else (tracing off, the CLI,
``serve``, tests) it returns the handler unchanged and imports nothing: the X-Ray SDK costs
about 140 ms of import time and would patch botocore.

Outgoing page fetches are not patched: the fetcher's guarded connections stay untouched.
Handler responses are not recorded (``capture_response=False``): they carry article bodies,
and an X-Ray document is limited to 64 KB.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import Any, TypeVar, cast

SERVICE = "article-ingest"
#: Modules the X-Ray SDK patches: the AWS SDK only.
PATCHED_MODULES = ("botocore",)

Handler = TypeVar("Handler", bound=Callable[..., Any])

_TRUE = {"1", "true", "yes", "on", "y"}


def enabled() -> bool:
    """Whether this process traces: on Lambda (not ``sam local``), unless disabled by env."""
    on_lambda = bool(os.environ.get("LAMBDA_TASK_ROOT")) and not os.environ.get("AWS_SAM_LOCAL")
    disabled = os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").strip().lower() in _TRUE
    return on_lambda and not disabled


def capture_lambda_handler(handler: Handler) -> Handler:
    """``handler`` traced by a Powertools ``Tracer`` when tracing is on, else unchanged.

    Raises ``RuntimeError`` at import (a failed cold start, not silently untraced functions)
    when tracing is on but the bundle lacks the X-Ray SDK.
    """
    if not enabled():
        return handler
    try:
        importlib.import_module("aws_xray_sdk.core")  # the Tracer's provider
        from aws_lambda_powertools import Tracer
    except ImportError as missing:
        raise RuntimeError(
            "tracing is on (POWERTOOLS_TRACE_DISABLED=false, EnableTracing=true) but the"
            " X-Ray SDK is not installed: add aws-xray-sdk to the function's requirements"
        ) from missing
    tracer = Tracer(service=SERVICE, patch_modules=PATCHED_MODULES)
    return cast("Handler", tracer.capture_lambda_handler(handler, capture_response=False))
