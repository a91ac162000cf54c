"""A drainer killed with SIGKILL while it holds the stream lease does not stall the next run:
its lease names a process that no longer exists, so the next runtime takes it at once. A live
holder's lease is still respected."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from article_ingest.runtime import LocalRuntime
from core.adapters.local import liveness
from core.adapters.local.stream import LEASE_S, STREAM
from core.models import Article, ArticleError, ArticleStatus
from core.services import Services
from core.settings import Settings

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="liveness is read from Linux's /proc"
)

# A drainer whose indexer blocks (mid-batch, lease held) until the process is killed.
HOLDER = """
import sys, time
from pathlib import Path
from handlers import indexer
from article_ingest.runtime import LocalRuntime
from core.services import Services
from core.settings import Settings

def handle(event, context, services):
    print("indexing", flush=True)
    time.sleep(3600)

indexer.handle = handle
LocalRuntime(Services(Settings(data_dir=Path(sys.argv[1])))).drain()
"""


class Clock:
    """Real time at start, then advanced only by the runtime's own sleeps."""

    def __init__(self) -> None:
        import time

        self.now = time.time()
        self.slept = 0.0

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        step = max(seconds, 0.001)
        self.now += step
        self.slept += step


def failed_article(n: int) -> Article:
    return Article(
        id=f"{n:032x}",
        url=f"https://example.com/{n}",
        status=ArticleStatus.FAILED,
        error=ArticleError(code="http_error", message="HTTP 404"),
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    services = Services(Settings(data_dir=tmp_path))
    services.articles.put(failed_article(1))  # one stream record to index
    return tmp_path


@pytest.fixture
def holder(data_dir: Path) -> Iterator[subprocess.Popen[str]]:
    """A drainer process that has claimed the stream and is indexing."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "indexing"
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=60)


def _lease(services: Services) -> tuple[str, float]:
    row = (
        services.db.connection()
        .execute("SELECT owner, lease_until FROM stream_cursors WHERE name = ?", (STREAM,))
        .fetchone()
    )
    return str(row["owner"]), float(row["lease_until"])


def test_a_drainer_killed_with_sigkill_does_not_stall_the_next_run(
    data_dir: Path, holder: subprocess.Popen[str]
) -> None:
    services = Services(Settings(data_dir=data_dir))
    owner, _ = _lease(services)
    assert json.loads(owner)["pid"] == holder.pid

    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=60)

    clock = Clock()
    # However slow this machine was since the holder's claim, its lease has a full term left.
    with services.db.transaction() as conn:
        conn.execute(
            "UPDATE stream_cursors SET lease_until = ? WHERE name = ? AND owner = ?",
            (clock.now + LEASE_S, STREAM, owner),
        )
    runtime = LocalRuntime(services, clock=clock.time, sleep=clock.sleep)
    report = runtime.drain(timeout_s=2 * LEASE_S)
    assert report.finished
    assert runtime.stream_lag() == 0
    assert clock.slept < 1.0  # waited for nobody


def test_a_killed_drainer_not_yet_reaped_is_dead_too(
    data_dir: Path, holder: subprocess.Popen[str]
) -> None:
    services = Services(Settings(data_dir=data_dir))
    os.kill(holder.pid, signal.SIGKILL)
    # Until its parent reaps it, the killed process is a zombie whose PID still exists.
    os.waitid(os.P_PID, holder.pid, os.WEXITED | os.WNOWAIT)
    assert liveness.is_dead(_lease(services)[0])


def test_a_live_drainers_lease_is_respected(data_dir: Path, holder: subprocess.Popen[str]) -> None:
    services = Services(Settings(data_dir=data_dir))
    owner, _ = _lease(services)
    assert not liveness.is_dead(owner)
    runtime = LocalRuntime(services)
    assert not runtime.run_indexer_once()
    assert runtime.stream_lag() == 1


def _token(**changes: object) -> str:
    token = json.loads(liveness.owner_token())
    token.update(changes)
    return json.dumps(token)


def test_liveness_of_owner_tokens() -> None:
    assert not liveness.is_dead(liveness.owner_token())  # this very process
    assert not liveness.is_dead("9d3c0f6e-legacy-uuid-owner")  # older format: lease time rules
    assert not liveness.is_dead(_token(host="another-machine", pid=2**22 + 1))
    assert not liveness.is_dead(_token(ns="pid:[1]", pid=2**22 + 1))  # another PID namespace
    assert liveness.is_dead(_token(boot="an-earlier-boot"))
    # The PID is alive but started at another time: the holder's PID was reused.
    assert liveness.is_dead(_token(start="1"))


def test_a_pid_that_no_longer_exists_is_dead() -> None:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait(timeout=60)
    assert liveness.is_dead(_token(pid=process.pid, start="0"))
