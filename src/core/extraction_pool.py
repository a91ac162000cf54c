"""Extraction in a pool of long-lived worker processes, each page within a budget.

Every page is parsed and extracted (``core.extract.assemble``; ``core.extract.rendering``
too) in a worker process, never in the threads that fetch: lxml is not safe on several pages
from several threads at once, a hostile page must not stall the process, and several workers
use several cores. ``ExtractionPool.assemble`` is thread-safe: a calling thread takes an idle
worker (or waits for one on a ``threading.Condition``), sends it the page over the worker's own
pipe and waits for the answer, at most the page's wall-clock budget.

- Over the wall-clock budget: the worker is killed and replaced, the page fails
  ``extraction_timeout``. Over the CPU budget the kernel stops the worker (``SIGXCPU``): the
  same. Over the memory ceiling: ``too_complex``. A worker that dies (segmentation fault,
  abort, the OOM killer): ``extraction_crashed``. Only that page fails; the next page gets a
  fresh worker.
- Only ``Process`` and ``Pipe`` from ``multiprocessing``: no ``Pool``, ``Queue``, ``Lock`` or
  ``Semaphore``, which need ``/dev/shm`` (absent on AWS Lambda). Workers are forked by
  ``multiprocessing``'s fork server, a single-threaded process that loaded the extraction stack
  and the language model once (``core.extraction_preload``); nothing forks a process that runs
  threads. Where there is no fork server, workers are spawned.
- Workers start lazily, on the first pages. ``size`` workers are kept for ordinary pages: each
  worker that has been busy on one page for over ``SLOW_PAGE_S`` makes room for one more, up
  to ``spare`` more, so that slow or hostile pages do not hold up the others; a worker beyond
  ``size`` stops once no caller waits for it or no worker is slow any more.
- ``close`` (also at interpreter exit) stops every worker and waits for it: no process is left.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import signal
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from core.errors import ExtractionFailed

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

    from core.extraction_options import ExtractionOptions
    from core.formats import OutputFormat
    from core.models import Article
    from core.ports import PageInput
    from core.settings import Settings

logger = logging.getLogger(__name__)
T = TypeVar("T")

# A page that has kept a worker this long is not an ordinary one: the median WCXB page takes
# ~25 ms and the slowest ~0.6 s on this machine; above it, spare workers may start.
SLOW_PAGE_S = 1.0
# How long a stopping worker is given to exit by itself before it is killed.
STOP_GRACE_S = 2.0
# How long a new worker may take to start (the fork, ``multiprocessing`` running the program's
# main script again in it) before its first page's wall-clock budget starts: a pytest worker
# on a loaded 2-core machine took over a second; one that has not started by then has crashed.
START_S = 60.0
PRELOAD = ["core.extraction_preload"]


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover (not Linux)
        return max(1, os.cpu_count() or 1)


def on_lambda() -> bool:
    """Whether this runs inside an AWS Lambda function."""
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


@dataclass(frozen=True)
class PoolLimits:
    """How many workers and what each page may spend (see ``Settings.extraction_*``)."""

    size: int
    spare: int = 2
    wall_s: float = 10.0
    cpu_s: float = 10.0
    memory_mb: int | None = 1024

    @classmethod
    def from_settings(cls, settings: Settings) -> PoolLimits:
        """The limits a ``Settings`` asks for; by default one worker per core and two spares,
        on Lambda one worker and one spare (memory: docs/extraction.md)."""
        lambda_ = on_lambda()
        size = settings.extraction_workers or (1 if lambda_ else available_cores())
        spare = settings.extraction_spare_workers
        return cls(
            size=size,
            spare=(1 if lambda_ else cls.spare) if spare is None else spare,
            wall_s=settings.extraction_timeout_s,
            cpu_s=settings.extraction_cpu_s,
            memory_mb=settings.extraction_memory_mb or None,
        )


def _context() -> BaseContext:
    """The fork server with the extraction stack preloaded, or spawn where there is none."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")  # pragma: no cover (not POSIX)


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, context: BaseContext, limits: PoolLimits) -> None:
        from core.extraction_worker import serve

        self.conn, child = context.Pipe(duplex=True)
        self.process = context.Process(  # type: ignore[attr-defined]
            target=serve,
            args=(child, limits.memory_mb, limits.cpu_s),
            name="article-ingest-extraction",
            daemon=True,
        )
        try:
            self.process.start()
        finally:
            child.close()
        self.busy_since: float | None = None
        self.ready = False
        self.start_timed_out = False

    def await_ready(self, timeout: float) -> bool:
        """Whether the worker serves: a new one's first message (``READY``) within ``timeout``
        seconds; one that sends anything else or nothing in time is killed."""
        if not self.ready:
            from core.extraction_worker import READY

            try:
                answered = self.conn.poll(timeout)
                self.ready = answered and self.conn.recv() == READY
            except (EOFError, OSError):
                answered, self.ready = True, False
            self.start_timed_out = not answered
            if not self.ready:
                self.process.kill()
        return self.ready

    @property
    def pid(self) -> int:
        """The worker's process id."""
        return int(self.process.pid)

    def stop(self, kill: bool = False) -> None:
        """Ask the worker to exit (or kill it), wait for it, close the pipe."""
        if not kill:
            try:
                self.conn.send(None)
            except (OSError, ValueError):
                kill = True
        if kill and self.process.is_alive():
            self.process.kill()
        self.process.join(STOP_GRACE_S)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(STOP_GRACE_S)
        self.conn.close()


def _death(exitcode: int | None) -> str:
    if exitcode is None:
        return "did not answer"
    if exitcode < 0:
        try:
            return f"was killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"was killed by signal {-exitcode}"
    return f"exited with status {exitcode}"


class ExtractionPool:
    """``PageExtractor`` that runs every page in a pool of worker processes, within budget."""

    def __init__(self, limits: PoolLimits) -> None:
        if limits.size < 1:
            raise ValueError("an extraction pool needs at least one worker")
        self.limits = limits
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._starting = 0
        self._waiting = 0
        self._closed = False
        self._owner = os.getpid()
        self._context: BaseContext | None = None
        _live_pools.add(self)

    # -- the PageExtractor port ------------------------------------------------------------

    def assemble(self, page: PageInput) -> Article | None:
        """The extracted Article or None; raises ``ExtractionFailed`` when over budget or
        when the worker died."""
        result: Article | None = self._run("assemble", (page,))
        return result

    def render(
        self,
        html: str,
        url: str | None,
        output_format: OutputFormat,
        options: ExtractionOptions | None = None,
        guide: str | None = None,
    ) -> str | None:
        """``core.extract.rendering.render`` in a worker (``options`` and ``guide`` travel
        with the task)."""
        result: str | None = self._run("render", (html, url, output_format, options, guide))
        return result

    def call(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in a worker, within the same budget as a page (``function`` is
        sent by reference: a module-level function)."""
        result: T = self._run(function, args)
        return result

    # -- workers -----------------------------------------------------------------------------

    def worker_pids(self) -> list[int]:
        """The process ids of the live workers (for tests and diagnostics)."""
        with self._cond:
            return [w.pid for w in [*self._idle, *self._busy]]

    def close(self) -> None:
        """Stop every worker (the idle ones are waited for here, the busy ones by their
        callers); later calls raise ``RuntimeError``."""
        with self._cond:
            self._closed = True
            idle, busy = list(self._idle), list(self._busy)
            self._idle.clear()
            self._cond.notify_all()
        if os.getpid() != self._owner:
            return
        for worker in idle:
            worker.stop()
        for worker in busy:
            # its caller learns the page failed (``extraction_crashed``), then waits for the
            # process and closes the pipe itself: one thread per worker reads its exit status
            worker.process.kill()

    def _run(self, task: str | Callable[..., Any], args: tuple[Any, ...]) -> Any:
        worker = self._acquire()
        healthy = False
        try:
            reply, healthy = self._exchange(worker, task, args)
        finally:
            self._release(worker, healthy)
        if reply[0] == "ok":
            return reply[1]
        raise ExtractionFailed(reply[1], reply[2])

    def _exchange(
        self, worker: _Worker, task: str | Callable[..., Any], args: tuple[Any, ...]
    ) -> tuple[Any, bool]:
        """Send one request and wait for its reply; returns it and whether the worker lives."""
        budget = self.limits.wall_s
        try:
            if not worker.await_ready(START_S):  # the page's budget starts once it serves
                raise OSError("the worker did not start")
            worker.conn.send((task, args))
        except (OSError, ValueError):
            pass  # it died while idle or starting: its exit status tells how, below
        else:
            if worker.conn.poll(budget):
                try:
                    reply = worker.conn.recv()
                except (EOFError, OSError):
                    pass
                else:
                    return reply, reply[0] == "ok" or not reply[3]
            else:
                worker.process.kill()
                worker.process.join(STOP_GRACE_S)
                return ("failed", "extraction_timeout", f"extraction took over {budget:g} s"), False
        worker.process.join(STOP_GRACE_S)
        exitcode = worker.process.exitcode
        if exitcode == -signal.SIGXCPU:
            message = f"extraction used over {self.limits.cpu_s:g} s of CPU"
            return ("failed", "extraction_timeout", message), False
        message = f"the extraction worker {_death(exitcode)}"
        if self._closed:
            message = "the extraction pool was closed during the extraction"
        elif worker.start_timed_out:
            message = f"the extraction worker did not start within {START_S:g} s"
        elif exitcode == -signal.SIGKILL:
            message += " (out of memory?)"
        logger.warning("%s (pid %s)", message, worker.pid)
        return ("failed", "extraction_crashed", message), False

    def _acquire(self) -> _Worker:
        with self._cond:
            while True:
                if self._closed:
                    raise RuntimeError("the extraction pool is closed")
                if os.getpid() != self._owner:  # a forked copy owns none of these workers
                    self._idle, self._busy, self._owner = [], set(), os.getpid()
                    self._starting = 0
                while self._idle and not self._idle[-1].process.is_alive():
                    self._idle.pop().stop(kill=True)  # died while idle: not this page's fault
                if self._idle:
                    worker = self._idle.pop()
                    worker.busy_since = time.monotonic()
                    self._busy.add(worker)
                    return worker
                live = len(self._busy) + self._starting
                slow, next_slow = self._slow()
                if live < self.limits.size + min(self.limits.spare, slow):
                    self._starting += 1
                    if self._context is None:
                        self._context = _context()
                    context = self._context
                    break
                full = live >= self.limits.size + self.limits.spare
                self._waiting += 1
                try:  # a release notifies; a worker turning slow may make room for a spare
                    self._cond.wait(None if full else next_slow)
                finally:
                    self._waiting -= 1
        try:
            worker = _Worker(context, self.limits)
        except BaseException:
            with self._cond:
                self._starting -= 1
                self._cond.notify()
            raise
        with self._cond:
            self._starting -= 1
            worker.busy_since = time.monotonic()
            self._busy.add(worker)
        return worker

    def _slow(self) -> tuple[int, float]:
        """How many busy workers have been on one page for over ``SLOW_PAGE_S``, and the
        seconds until the next one will have been (``SLOW_PAGE_S`` when none is busy)."""
        now = time.monotonic()
        slow, next_slow = 0, SLOW_PAGE_S
        for worker in self._busy:
            busy_for = now - (worker.busy_since if worker.busy_since is not None else now)
            if busy_for > SLOW_PAGE_S:
                slow += 1
            else:
                next_slow = min(next_slow, SLOW_PAGE_S - busy_for + 0.01)
        return slow, next_slow

    def _release(self, worker: _Worker, healthy: bool) -> None:
        with self._cond:
            self._busy.discard(worker)
            worker.busy_since = None
            live = len(self._idle) + len(self._busy) + self._starting
            # a spare stays while a caller waits for it and a worker it stands in for is still
            # on a slow page, then stops
            room = self.limits.size + min(self.limits.spare, self._slow()[0])
            keep = (
                healthy
                and not self._closed
                and (live < self.limits.size or (self._waiting > 0 and live < room))
            )
            if keep:
                self._idle.append(worker)
            self._cond.notify()
        if not keep:
            worker.stop(kill=not healthy)


_live_pools: weakref.WeakSet[ExtractionPool] = weakref.WeakSet()
_shared: dict[PoolLimits, ExtractionPool] = {}
_shared_lock = threading.Lock()


def shared_pool(limits: PoolLimits) -> ExtractionPool:
    """The process's pool for ``limits``: every ``Services`` with the same settings shares it."""
    with _shared_lock:
        pool = _shared.get(limits)
        if pool is None or pool._closed:
            pool = _shared[limits] = ExtractionPool(limits)
        return pool


@atexit.register
def _close_all() -> None:
    for pool in list(_live_pools):
        pool.close()
