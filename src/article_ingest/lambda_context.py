"""The Lambda context of a local invocation (``serve`` and the local runtime).

Powertools reads a handful of attributes from the context Lambda passes to a handler; the
handlers themselves read ``get_remaining_time_in_millis`` to budget their work. Locally each
invocation gets this stand-in, with a deadline like the function's timeout on AWS.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

#: The API function's timeout on AWS: what a local API invocation gets by default.
INVOCATION_BUDGET_MS = 30_000


@dataclass
class LocalContext:
    """The parts of a Lambda context that Powertools and the handlers read."""

    function_name: str = "article-ingest-api"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 1024
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "local"
    log_stream_name: str = "local"
    deadline: float = field(default_factory=lambda: time.monotonic() + INVOCATION_BUDGET_MS / 1000)

    @property
    def invoked_function_arn(self) -> str:
        """The ARN a function of this name would have (in a ``local`` region and account)."""
        return f"arn:aws:lambda:local:000000000000:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left in this invocation's budget."""
        return max(0, int((self.deadline - time.monotonic()) * 1000))


def invocation(function_name: str, budget_s: float) -> LambdaContext:
    """A fresh context for one invocation of ``function_name`` with ``budget_s`` to run."""
    context = LocalContext(function_name=function_name, deadline=time.monotonic() + budget_s)
    return cast("LambdaContext", context)
