"""The extraction pool: budgets, crashes, replacement, shutdown, and no ``/dev/shm`` needed.

Each test sends a worker a page or a misbehaving function (``pool_tasks``) and checks how that
one call ends and that the next one is served by a healthy worker. Budgets are short here
(seconds) so the tests are quick; nothing asserts how fast anything ran.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from core.errors import ExtractionFailed
from core.extraction_pool import ExtractionPool, PoolLimits
from core.extractors import InProcessExtractor
from core.ports import PageInput
from tests.integration import hostile_pages, pool_tasks

REPO = Path(__file__).resolve().parents[2]
PAGES = REPO / "tests" / "fixtures" / "pages"


def page(body: bytes, name: str = "page") -> PageInput:
    return PageInput(body=body, url=f"https://news.example/{name}", article_id=name)


@pytest.fixture
def pool() -> Iterator[ExtractionPool]:
    pool = ExtractionPool(PoolLimits(size=1, spare=1, wall_s=60, cpu_s=60, memory_mb=1024))
    yield pool
    pool.close()


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a live (not zombie) process."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return "State:\tZ" not in status


def _expect_failure(pool: ExtractionPool, code: str, function: object, *args: object) -> str:
    with pytest.raises(ExtractionFailed) as failure:
        pool.call(function, *args)  # type: ignore[arg-type]
    assert failure.value.code == code
    return failure.value.message


def test_articles_come_back_as_in_process(pool: ExtractionPool) -> None:
    inputs = [page(path.read_bytes(), path.stem) for path in sorted(PAGES.glob("*.html"))]
    expected = [InProcessExtractor().assemble(p) for p in inputs]
    assert [pool.assemble(p) for p in inputs] == expected
    assert any(article is not None for article in expected)


def test_many_threads_share_the_workers(pool: ExtractionPool) -> None:
    inputs = [page(hostile_pages.normal_page(40 + i * 10), f"p{i}") for i in range(12)]
    with ThreadPoolExecutor(6) as threads:
        results = list(threads.map(pool.assemble, inputs))
    assert [a.id if a else None for a in results] == [p.article_id for p in inputs]
    assert len(pool.worker_pids()) <= pool.limits.size + pool.limits.spare
    assert os.getpid() not in pool.worker_pids()


@pytest.mark.parametrize(
    ("function", "how"),
    [(pool_tasks.segfault, "SIGSEGV"), (pool_tasks.abort, "SIGABRT")],
    ids=["segfault", "abort"],
)
def test_a_dying_worker_fails_only_its_page(
    pool: ExtractionPool, function: object, how: str
) -> None:
    first = pool.call(pool_tasks.pid)
    assert how in _expect_failure(pool, "extraction_crashed", function)
    assert not _alive(first)
    assert pool.call(pool_tasks.pid) != first  # replaced
    assert pool.assemble(page(hostile_pages.normal_page())) is not None


def test_over_the_wall_clock_budget_the_worker_is_killed_and_replaced() -> None:
    pool = ExtractionPool(PoolLimits(size=1, spare=0, wall_s=1, cpu_s=60))
    try:
        first = pool.call(pool_tasks.pid)
        assert "over 1 s" in _expect_failure(pool, "extraction_timeout", pool_tasks.sleep, 600)
        assert not _alive(first)
        assert pool.call(pool_tasks.sleep, 0) == 0
    finally:
        pool.close()


def test_over_the_cpu_budget_the_kernel_stops_the_worker_even_inside_c() -> None:
    pool = ExtractionPool(PoolLimits(size=1, spare=0, wall_s=600, cpu_s=1))
    try:
        message = _expect_failure(pool, "extraction_timeout", pool_tasks.spin_in_c)
        assert "CPU" in message
        assert pool.call(pool_tasks.sleep, 0) == 0
    finally:
        pool.close()


def test_over_the_memory_ceiling_is_too_complex() -> None:
    pool = ExtractionPool(PoolLimits(size=1, spare=0, wall_s=120, cpu_s=120, memory_mb=700))
    try:
        assert pool.call(pool_tasks.allocate, 16) == 16 * 1024 * 1024
        first = pool.call(pool_tasks.pid)
        assert "700 MB" in _expect_failure(pool, "too_complex", pool_tasks.allocate, 2048)
        assert pool.call(pool_tasks.pid) != first  # a worker that ran out is not reused
    finally:
        pool.close()


def test_a_guarded_page_keeps_its_worker(pool: ExtractionPool) -> None:
    first = pool.call(pool_tasks.pid)
    with pytest.raises(ExtractionFailed) as failure:
        pool.assemble(page(hostile_pages.many_attributes()))
    assert failure.value.code == "too_complex"
    assert pool.call(pool_tasks.pid) == first


def test_a_spare_worker_serves_ordinary_pages_while_every_worker_is_slow(
    pool: ExtractionPool,
) -> None:
    slow_done = threading.Event()
    outcome: list[BaseException | float] = []

    def slow() -> None:
        try:
            outcome.append(pool.call(pool_tasks.sleep, 120))
        except BaseException as error:
            outcome.append(error)
        slow_done.set()

    threading.Thread(target=slow, daemon=True).start()
    article = pool.assemble(page(hostile_pages.normal_page()))  # waits for the spare worker
    assert article is not None
    assert not slow_done.is_set()
    pool.close()  # kills the busy worker: its caller learns its page failed
    assert slow_done.wait(60)
    assert isinstance(outcome[0], ExtractionFailed)
    assert outcome[0].code == "extraction_crashed"


def test_a_slow_page_does_not_take_a_worker_from_ordinary_pages() -> None:
    """One worker on a slow page and the other busy with ordinary ones: a spare starts, so
    ordinary pages keep two workers (before, a spare started only once every worker was on a
    slow page, and ordinary pages shared the one left)."""
    pool = ExtractionPool(PoolLimits(size=2, spare=1, wall_s=600, cpu_s=600))
    try:
        threading.Thread(target=_ignore_failure, args=(pool, 600), daemon=True).start()
        deadline = time.monotonic() + 60
        while not pool.worker_pids() and time.monotonic() < deadline:
            time.sleep(0.01)
        (slow_pid,) = pool.worker_pids()
        seen: set[int] = set()

        def ordinary_pages() -> None:
            while len(seen) < 2 and time.monotonic() < deadline:
                seen.add(pool.call(pool_tasks.pid))

        with ThreadPoolExecutor(2) as threads:
            list(threads.map(lambda _: ordinary_pages(), range(2)))
        assert slow_pid not in seen
        assert len(seen) >= 2, "ordinary pages were left one worker"
        assert len(pool.worker_pids()) <= pool.limits.size + pool.limits.spare
    finally:
        pool.close()


def _ignore_failure(pool: ExtractionPool, seconds: float) -> None:
    """Hold a worker for ``seconds`` (its page fails when the pool is closed)."""
    with contextlib.suppress(ExtractionFailed):
        pool.call(pool_tasks.sleep, seconds)


def test_workers_are_forked_from_a_single_threaded_process(pool: ExtractionPool) -> None:
    """The fork server loaded the language model in a thread: it must be gone before a fork."""
    assert pool.call(pool_tasks.threads) == (1, 1)


def test_closing_stops_every_worker(pool: ExtractionPool) -> None:
    with ThreadPoolExecutor(2) as threads:
        list(threads.map(pool.call, [pool_tasks.pid] * 4))
    pids = pool.worker_pids()
    assert pids
    pool.close()
    assert [pid for pid in pids if _alive(pid)] == []
    with pytest.raises(RuntimeError):
        pool.call(pool_tasks.pid)


SCRIPT = textwrap.dedent(
    """
    import multiprocessing, sys
    from core.extraction_pool import ExtractionPool, PoolLimits
    from core.ports import PageInput
    from tests.integration import hostile_pages, pool_tasks

    if sys.argv[1] == "no-semlock":
        try:
            multiprocessing.Lock()
        except OSError as error:
            print("no SemLock:", error, file=sys.stderr)
        else:
            sys.exit("multiprocessing.Lock() still works: the test proves nothing")
    pool = ExtractionPool(PoolLimits(size=2))
    page = PageInput(body=hostile_pages.normal_page(), url="https://a.example/x", article_id="x")
    assert pool.assemble(page).word_count > 20
    print(*pool.worker_pids())
    """
)


def _run_script(mode: str, prefix: list[str] | None = None, **env: str) -> list[int]:
    completed = subprocess.run(
        [*(prefix or []), sys.executable, "-c", SCRIPT, mode],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]), **env},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return [int(pid) for pid in completed.stdout.split()]


SLOW_START = textwrap.dedent(
    """
    import time

    if __name__ == "__mp_main__":  # multiprocessing runs the main script again in each worker
        time.sleep(2.5)
    if __name__ == "__main__":
        import sys

        from core import extraction_pool
        from core.errors import ExtractionFailed
        from core.extraction_pool import ExtractionPool, PoolLimits
        from tests.integration import pool_tasks

        extraction_pool.START_S = float(sys.argv[1])
        pool = ExtractionPool(PoolLimits(size=1, spare=0, wall_s=1, cpu_s=60))
        try:
            print(pool.call(pool_tasks.sleep, 0.1))
        except ExtractionFailed as failed:
            print(failed.code, "|", failed)
    """
)


def _slow_start(tmp_path: Path, start_s: float) -> str:
    script = tmp_path / "slow_start.py"
    script.write_text(SLOW_START)
    completed = subprocess.run(
        [sys.executable, str(script), str(start_s)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.strip()


def test_a_slow_starting_worker_does_not_spend_its_first_page_budget(tmp_path: Path) -> None:
    """The page's wall-clock budget starts when the worker serves, not when it is forked: a
    worker that takes longer than the budget to start (its main script run again, a loaded
    machine) still gets its whole budget for the page."""
    assert _slow_start(tmp_path, 60) == "0.1"


def test_a_worker_that_does_not_start_in_time_fails_its_page_saying_so(tmp_path: Path) -> None:
    """Not "killed (out of memory?)": the page failed because its worker never started."""
    assert _slow_start(tmp_path, 0.5) == (
        "extraction_crashed | the extraction worker did not start within 0.5 s"
    )


def test_no_worker_outlives_the_process_that_started_it() -> None:
    pids = _run_script("plain")
    assert len(pids) >= 1
    assert [pid for pid in pids if _alive(pid)] == []


def test_works_where_multiprocessing_locks_cannot(tmp_path: Path) -> None:
    """As on AWS Lambda, where there is no /dev/shm: every SemLock fails in every process."""
    (tmp_path / "sitecustomize.py").write_text(
        textwrap.dedent(
            """
            import _multiprocessing

            class SemLock:
                SEM_VALUE_MAX = _multiprocessing.SemLock.SEM_VALUE_MAX

                def __init__(self, *args, **kwargs):
                    raise OSError(38, "Function not implemented (no /dev/shm)")

            _multiprocessing.SemLock = SemLock
            """
        )
    )
    path = os.pathsep.join([str(tmp_path), str(REPO / "src"), str(REPO)])
    assert _run_script("no-semlock", PYTHONPATH=path)


def _can_unshare() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o ro tmpfs /dev/shm"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _can_unshare(), reason="needs unshare -m (root or user namespaces)")
def test_works_with_a_read_only_dev_shm() -> None:
    """A mount namespace where /dev/shm is an empty read-only file system."""
    wrapper = ["unshare", "-m", "sh", "-c", 'mount -t tmpfs -o ro tmpfs /dev/shm && exec "$@"', "-"]
    assert _run_script("no-semlock", wrapper)
