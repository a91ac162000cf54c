"""Tracing of the Lambda entry points: a no-op unless on Lambda with tracing on, and then a
real X-Ray subsegment per invocation (sent to a UDP "daemon" on 127.0.0.1).

Each case runs in its own interpreter: the X-Ray SDK patches botocore process-wide."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
TRACE_ID = "1-5759e988-bd862e3fe1be46a994272793"
LAMBDA_ENV = {
    "LAMBDA_TASK_ROOT": "/var/task",
    "_X_AMZN_TRACE_ID": f"Root={TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=1",
    "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
}


def run(code: str, **env: str) -> str:
    """Run ``code`` in a fresh interpreter with ``env`` on top of a clean environment."""
    base = {k: v for k, v in os.environ.items() if k not in {*LAMBDA_ENV, "AWS_SAM_LOCAL"}}
    base.pop("POWERTOOLS_TRACE_DISABLED", None)
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env={**base, "PYTHONPATH": str(SRC), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


HANDLERS_UNCHANGED = """
    import sys
    from handlers import tracing

    def handler(event, context):
        return event

    assert tracing.capture_lambda_handler(handler) is handler
    import handlers.api, handlers.indexer, handlers.worker
    assert "aws_xray_sdk" not in sys.modules, "the X-Ray SDK was imported"
    print("untraced")
"""


def test_off_the_lambda_runtime_nothing_is_traced_or_imported() -> None:
    assert run(HANDLERS_UNCHANGED, POWERTOOLS_TRACE_DISABLED="false") == "untraced\n"


def test_on_lambda_with_tracing_disabled_nothing_is_traced_or_imported() -> None:
    env = {**LAMBDA_ENV, "POWERTOOLS_TRACE_DISABLED": "true"}
    assert run(HANDLERS_UNCHANGED, **env) == "untraced\n"


def test_on_lambda_with_tracing_on_each_invocation_is_a_subsegment() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as daemon:
        daemon.bind(("127.0.0.1", 0))
        daemon.settimeout(60)
        port = daemon.getsockname()[1]
        code = """
            from handlers import tracing

            def handler(event, context):
                return {"secret-body": event["n"]}

            traced = tracing.capture_lambda_handler(handler)
            assert traced is not handler
            print(traced({"n": 7}, None))
        """
        env = {
            **LAMBDA_ENV,
            "POWERTOOLS_TRACE_DISABLED": "false",
            "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{port}",
        }
        assert run(code, **env) == "{'secret-body': 7}\n"
        header, document = daemon.recv(65536).decode().split("\n", 1)
    assert json.loads(header) == {"format": "json", "version": 1}
    segment = json.loads(document)
    assert segment["name"] == "## handler"
    assert segment["trace_id"] == TRACE_ID
    assert segment["annotations"]["Service"] == "article-ingest"
    assert "secret-body" not in document  # responses are never recorded
