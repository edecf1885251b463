"""Fan enrichment out to local worker processes or to a Dask distributed cluster, results back in order.

The writer is one process; enrichment is a pure function of its task, so it can run anywhere. A ``Fanout`` is
where it runs; ``in_order`` keeps a bounded number of tasks in flight (back-pressure: the memory of the writer,
and of a Dask scheduler, stays flat however large the run) and hands the results back in submission order, so
the index does not depend on how many workers there were or which finished first.
"""

from __future__ import annotations

import logging
import multiprocessing
import platform
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

AHEAD_PER_SLOT = 16  # tasks a worker may run ahead of the writer (enough to cover a segment flush)
CONNECT_SECONDS = 30.0  # how long to try to reach a Dask scheduler
NO_WORKERS_SECONDS = 120.0  # a cluster without a single worker this long stops the run
POLL_SECONDS = 2.0  # how often a wait on a Dask result checks that the cluster is still there
PROBE_SECONDS = 600.0  # a worker's first enrichment, models loaded from disk (seconds; minutes on a busy machine)


class ClusterError(RuntimeError):
    """The Dask cluster cannot do the enrichment, or stopped doing it; the last commit stays as it was."""


class Pending(Protocol):
    """A submitted task: ``result()`` waits for it (and raises the task's own exception, if it had one)."""

    def result(self) -> Any: ...


class Fanout(ABC):
    """Where enrichment tasks run. Enter it before submitting; ``slots`` is how many tasks run at once."""

    slots: int = 1
    ahead_per_slot: int = AHEAD_PER_SLOT
    peak_in_flight: int = 0  # most tasks ever submitted and not yet handed back to the writer (set by in_order)

    def __enter__(self) -> Fanout:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    @abstractmethod
    def submit(self, fn: Callable[..., Any], *args: Any) -> Pending:
        """Start ``fn(*args)`` somewhere; ``fn`` must be importable there and its arguments picklable."""


def in_order(
    fanout: Fanout, fn: Callable[..., Any], tasks: Iterable[T], *args: Any, ahead: int | None = None
) -> Iterator[tuple[T, Pending]]:
    """Submit ``fn(task, *args)`` for each task, at most ``ahead`` (default: slots x ahead_per_slot) in flight,
    and yield ``(task, pending)`` in submission order. The fan-out is entered only when there is a first task, so
    an unchanged re-run loads no models and starts no processes.

    A yielded task counts as in flight until the caller asks for the next one (it is being written until then);
    the most ever in flight is kept in ``fanout.peak_in_flight``, the bound as observed."""
    tasks = iter(tasks)
    first = next(tasks, None)
    if first is None:
        return
    with fanout:
        limit = max(1, ahead or fanout.slots * fanout.ahead_per_slot)
        inflight: deque[tuple[T, Pending]] = deque()
        fanout.peak_in_flight = 0

        def submit(task: T) -> None:
            inflight.append((task, fanout.submit(fn, task, *args)))
            fanout.peak_in_flight = max(fanout.peak_in_flight, len(inflight))

        submit(first)
        for task in tasks:
            while len(inflight) >= limit:
                yield inflight.popleft()
            submit(task)
        while inflight:
            yield inflight.popleft()


class _Deferred:
    """A task run in this process when its result is asked for."""

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self._call = (fn, args)

    def result(self) -> Any:
        fn, args = self._call
        return fn(*args)


class Inline(Fanout):
    """Everything in this process, one task at a time (``--workers 1``, tests, small runs)."""

    ahead_per_slot = 1  # nothing runs ahead: each task is planned after the one before is written

    def submit(self, fn: Callable[..., Any], *args: Any) -> Pending:
        return _Deferred(fn, args)


class LocalProcesses(Fanout):
    """Forked worker processes on this machine; ``warm_up`` runs first so the workers share its loaded models."""

    def __init__(self, workers: int, warm_up: Callable[[], None] | None = None) -> None:
        self.slots = max(1, workers)
        self._warm_up = warm_up
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Fanout:
        if self._warm_up is not None:
            self._warm_up()
        self._pool = ProcessPoolExecutor(self.slots, mp_context=multiprocessing.get_context("fork"))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def submit(self, fn: Callable[..., Any], *args: Any) -> Pending:
        assert self._pool is not None, "enter the fan-out before submitting"
        return self._pool.submit(fn, *args)


def probe_worker(entities: bool) -> str:
    """Run on each Dask worker at the start: prove it can enrich (project importable, NLTK data present, models
    loaded, so the first tasks do not pay for them). Returns the worker's host name."""
    from search.documents import Document
    from search.enrich.nltk_data import require_all
    from search.enrich.pipeline import enrich, warm_up

    if entities:
        require_all()
        warm_up()
    enrich(Document(id="probe", title="Probe", body="Officials met in Geneva on Monday."), entities=entities)
    return platform.node()


class DaskCluster(Fanout):
    """A Dask distributed cluster reached at ``address`` (``tcp://host:8786``).

    Dask reruns the tasks of a worker that dies; losing the scheduler, or every worker for two minutes, raises
    ClusterError. Results come straight from the workers (the writer must reach them), not through the scheduler.
    """

    def __init__(self, address: str, entities: bool = True, connect_seconds: float = CONNECT_SECONDS) -> None:
        self.address = address
        self.entities = entities
        self.connect_seconds = connect_seconds
        self.client: Any = None

    def __enter__(self) -> Fanout:
        try:
            from distributed import Client
        except ImportError:  # pragma: no cover - pinned in requirements.txt
            raise ClusterError("--cluster needs the 'distributed' package (pip install -r requirements.txt)") from None
        try:
            self.client = Client(
                self.address, timeout=self.connect_seconds, set_as_default=False, direct_to_workers=True
            )
        except (OSError, ValueError) as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {self.address}: {_reason(exc)}") from None
        try:
            self._check_workers()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _check_workers(self) -> None:
        client = self.client
        try:
            client.wait_for_workers(1, timeout=self.connect_seconds)
        except (TimeoutError, OSError):
            raise ClusterError(
                f"the Dask scheduler at {self.address} has no workers (waited {self.connect_seconds:.0f} s)"
            ) from None
        try:
            client.get_versions(check=True)
        except ValueError as exc:
            raise ClusterError(f"the Dask cluster at {self.address} runs other package versions: {exc}") from None
        # One probe task pinned to each worker (a task, not client.run: loading the models takes seconds and must
        # not block the worker's event loop, or the scheduler stops hearing from it).
        workers = sorted(client.scheduler_info(n_workers=-1)["workers"])
        probes = {w: client.submit(probe_worker, self.entities, workers=[w], pure=False) for w in workers}
        bad: dict[str, BaseException] = {}
        hosts: dict[str, str] = {}
        for worker, future in probes.items():
            try:
                hosts[worker] = future.result(timeout=PROBE_SECONDS)
            except TimeoutError:
                bad[worker] = TimeoutError(f"no answer in {PROBE_SECONDS:.0f} s")
            except Exception as exc:
                if future.status != "error":
                    raise ClusterError(f"lost the Dask scheduler at {self.address}: {_reason(exc)}") from None
                bad[worker] = exc
            finally:
                future.release()
        if bad:
            worker, exc = next(iter(bad.items()))
            more = f" (and {len(bad) - 1} more workers)" if len(bad) > 1 else ""
            raise ClusterError(f"Dask worker {worker} cannot enrich{more}: {_reason(exc)}")
        self.slots = max(1, sum(client.nthreads().values()))
        log.info("enriching on %d Dask worker threads at %s: %s", self.slots, self.address, hosts)

    def __exit__(self, *exc: object) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        # Closing cancels the client's attempts to reconnect to a lost scheduler, which Dask logs with a traceback:
        # the run's own error already says what happened, in one line.
        quiet = [logging.getLogger(name) for name in ("distributed", "distributed.client")]
        levels = [q.level for q in quiet]
        for q in quiet:
            q.setLevel(logging.CRITICAL)
        try:
            client.close(timeout=5)
        except Exception as err:  # the scheduler may already be gone: nothing left to release
            log.debug("closing the Dask client: %s", err)
        finally:
            for q, level in zip(quiet, levels, strict=True):
                q.setLevel(level)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Pending:
        if self.client is None or self.client.status not in ("running", "connecting", "newly-created"):
            raise ClusterError(f"lost the Dask scheduler at {self.address}")
        try:
            future = self.client.submit(fn, *args, pure=False)
        except (OSError, RuntimeError) as exc:
            raise ClusterError(f"lost the Dask scheduler at {self.address}: {_reason(exc)}") from None
        return _DaskPending(self, future)


class _DaskPending:
    """A Dask future whose wait notices a lost scheduler or an empty cluster, and lets go of the result once read
    (so neither the worker nor the scheduler keeps it)."""

    def __init__(self, cluster: DaskCluster, future: Any) -> None:
        self._cluster = cluster
        self._future = future

    def result(self) -> Any:
        cluster, future = self._cluster, self._future
        no_workers_since: float | None = None
        try:
            while True:
                try:
                    return future.result(timeout=POLL_SECONDS)
                except Exception as exc:
                    if future.status == "error":  # the task's own exception (KilledWorker too): the writer's to judge
                        raise
                    if not isinstance(exc, TimeoutError):  # cancelled (Dask's word for a lost scheduler), closed
                        why = str(getattr(exc, "reason", type(exc).__name__)).replace("-", " ")
                        raise ClusterError(f"lost the Dask scheduler at {cluster.address} ({why})") from None
                client = cluster.client
                if client is None or client.status in ("closing", "closed"):
                    raise ClusterError(f"lost the Dask scheduler at {cluster.address}")
                if client.status == "running" and not client.scheduler_info().get("workers"):
                    no_workers_since = no_workers_since or time.monotonic()
                    if time.monotonic() - no_workers_since > NO_WORKERS_SECONDS:
                        raise ClusterError(
                            f"the Dask cluster at {cluster.address} has had no workers for {NO_WORKERS_SECONDS:.0f} s"
                        )
                else:
                    no_workers_since = None
        finally:
            self._future = None
            future.release()


def _reason(exc: BaseException) -> str:
    """An exception as one short line."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text and text[0] else type(exc).__name__


def make_fanout(workers: int, cluster: str | None = None, entities: bool = True) -> Fanout:
    """The fan-out for a run: a Dask cluster when its address is given, else local processes (or this one)."""
    if cluster:
        return DaskCluster(cluster, entities=entities)
    if workers <= 1:
        return Inline()
    from search.enrich.pipeline import warm_up

    return LocalProcesses(workers, warm_up if entities else None)
