"""Run a built bundle as Lambda runs it: its own process, the stack's environment, a timeout."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

HERE = Path(__file__).resolve().parent
BOOTSTRAP = HERE / "bootstrap.py"
RECORDER = HERE / "recorder"
#: Extra seconds past the function's timeout before the test gives up on an invocation (the
#: machine may be loaded; the function's own budget is what the context reports).
GRACE_S = 120


class FunctionTimedOut(AssertionError):
    """The invocation did not answer within the function's timeout (plus grace)."""


class LambdaProcess:
    """One warm execution environment of a function: a bootstrap process in its bundle."""

    def __init__(
        self,
        python: Path,
        bundle: Path,
        handler: str,
        timeout_s: int,
        env: dict[str, str],
        log: Path,
        calls: Path,
    ) -> None:
        self.bundle, self.handler, self.timeout_s = bundle, handler, timeout_s
        self.calls = calls
        self._log = log.open("ab")
        self._proc = subprocess.Popen(
            [str(python), "-s", str(BOOTSTRAP), handler, str(timeout_s)],
            cwd=bundle,
            env={
                **env,
                "PYTHONPATH": f"{bundle}:{RECORDER}",
                "LAMBDA_TASK_ROOT": str(bundle),
                "DEPLOYED_TEST_CALL_LOG": str(calls),
            },
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )
        self._answers: queue.Queue[str] = queue.Queue()
        assert self._proc.stdout is not None
        threading.Thread(target=self._read, args=(self._proc.stdout,), daemon=True).start()
        ready = self._next(GRACE_S)
        self.init_ms = float(ready["init_ms"])

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._answers.put(line)
        self._answers.put("")

    def _next(self, timeout_s: float) -> dict[str, Any]:
        try:
            line = self._answers.get(timeout=timeout_s)
        except queue.Empty:
            self._proc.kill()
            raise FunctionTimedOut(f"{self.handler} gave no answer in {timeout_s} s") from None
        if not line:
            raise AssertionError(
                f"{self.handler} exited ({self._proc.wait()}); see {self._log.name}"
            )
        answer: dict[str, Any] = json.loads(line)
        return answer

    def invoke(self, event: dict[str, Any]) -> Any:
        """The handler's result for ``event``; raises when the invocation failed."""
        assert self._proc.stdin is not None
        self._proc.stdin.write(json.dumps(event) + "\n")
        self._proc.stdin.flush()
        answer = self._next(self.timeout_s + GRACE_S)
        if "error" in answer:
            raise AssertionError(f"{self.handler} failed:\n{answer['error']}")
        return answer["result"]

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._log.close()
