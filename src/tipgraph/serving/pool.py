"""A pool of worker processes that evaluate queries with a real time limit.

pyoxigraph cannot cancel a running query and evaluates lazily while results are written, so a
timer around ``Store.query`` stops nothing. Each worker process holds the store open read-only,
evaluates one query at a time and streams the serialised bytes back through a pipe; when the
deadline passes or the client goes away, the worker is killed and replaced.

The messages are described in :mod:`tipgraph.serving.worker`; one message per small result keeps a
point lookup to one round trip.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import multiprocessing
import multiprocessing.connection
import os
import pickle
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from multiprocessing.process import BaseProcess
from typing import Any

from tipgraph import errors
from tipgraph.config import EndpointSettings
from tipgraph.evaluation import QueryRequest, ResultHead
from tipgraph.formats import BY_NAME, ResultKind
from tipgraph.query_targets import QueryTarget
from tipgraph.serving.fairness import PREEMPT_SECONDS, ClientLedger
from tipgraph.serving.worker import CHUNK_BYTES, error_body, worker_main

log = logging.getLogger(__name__)
# Chunks a slow client may leave unread before the worker is made to wait (flow control).
BUFFERED_CHUNKS = 8
READ_BYTES = 1 << 20
# No message of a worker comes near this (results come in CHUNK_BYTES): a longer one is never
# read whole, its worker is replaced. The pool holds at most this much of one message.
MAX_MESSAGE_BYTES = 16 * CHUNK_BYTES


def _error_from(body: dict[str, Any]) -> errors.TipgraphError:
    kind = getattr(errors, str(body.get("type")), None)
    message = str(body.get("message"))
    if isinstance(kind, type) and issubclass(kind, errors.TipgraphError):
        return kind(message)
    return errors.WorkerFailed(message)


class OversizedMessage(EOFError):
    """A worker announced a message over MAX_MESSAGE_BYTES: it is treated as gone."""


class _FrameReader:
    """Reads the messages of ``Connection.send_bytes`` from a non-blocking descriptor."""

    def __init__(self, descriptor: int) -> None:
        self._descriptor = descriptor
        self._buffer = bytearray()
        self._block = memoryview(bytearray(READ_BYTES))  # reused: no allocation per read

    def read(self) -> list[bytes]:
        """The messages complete so far; EOFError when the worker has gone (or sent a message
        over MAX_MESSAGE_BYTES)."""
        while True:
            try:
                size = os.readv(self._descriptor, [self._block])
            except BlockingIOError:
                break
            if not size:
                raise EOFError
            self._buffer += self._block[:size]
            if size < READ_BYTES:
                break
        messages = []
        buffer, offset = self._buffer, 0
        with memoryview(buffer) as view:
            while len(buffer) - offset >= 4:
                (size,) = struct.unpack_from("!i", buffer, offset)
                if size < 0 or size > MAX_MESSAGE_BYTES:  # < 0: over 2 GiB
                    raise OversizedMessage(f"a worker sent a message of {size} bytes")
                if len(buffer) - offset < 4 + size:
                    break
                messages.append(bytes(view[offset + 4 : offset + 4 + size]))  # the one copy
                offset += 4 + size
        del buffer[:offset]
        return messages


# Markers the pool puts in a query's own message queue.
TIMED_OUT, CANCELLED, OUT_OF_MEMORY, PREEMPTED = b"T", b"X", b"M", b"P"
# While a query waits for room to be made, how often the pool looks again (serving.fairness).
ROOM_CHECK_SECONDS = 0.25
MEMORY_CHECK_SECONDS = 0.25
# A query quicker than this cannot have taken memory worth replacing its worker for (it would
# have to allocate gigabytes a second): after one, the worker's memory is read at most once per
# IDLE_MEMORY_SECONDS, since reading it costs about what a point lookup's whole hop does.
QUICK_QUERY_SECONDS = 0.01
IDLE_MEMORY_SECONDS = 1.0
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


@dataclass(eq=False)
class RunningQuery:
    """A submitted query: await its head, then iterate its bytes. Cancel it if abandoned."""

    request: QueryRequest
    pool: QueryPool
    client: str
    messages: asyncio.Queue[bytes] = field(default_factory=asyncio.Queue)
    worker: _Worker | None = None
    queued_at: float = 0.0  # when it was submitted
    started_at: float | None = None  # when it took a worker
    deadline: float | None = None  # the loop time by which its answer must be sent
    finished: bool = False  # nothing more will come from the pool (worker done, or cancelled)
    complete: bool = False  # the consumer has taken the end of the result
    rows: int = 0
    _first: list[bytes | memoryview] = field(default_factory=list)
    _timer: asyncio.TimerHandle | None = None

    def start_timer(self, deadline: float) -> None:
        self.deadline = deadline
        self._timer = self.pool.loop.call_at(deadline, self._expire)

    def _expire(self) -> None:
        if not self.finished:
            self.messages.put_nowait(TIMED_OUT)  # before cancel()'s marker: the reason wins
            self.cancel()

    def _finish(self) -> None:
        self.finished = True
        if self._timer is not None:
            self._timer.cancel()
        self.pool._job_ended(self)

    def stop_for_memory(self) -> None:
        """Its worker grew past the memory limit: the query is answered with that, then stopped."""
        if not self.finished:
            self.messages.put_nowait(OUT_OF_MEMORY)
            self.cancel()

    def preempt(self) -> None:
        """Stopped to make room for a query of a client with nothing running (see
        :mod:`tipgraph.serving.fairness`): answered with that, its worker replaced."""
        if not self.finished:
            self.messages.put_nowait(PREEMPTED)
            self.cancel()

    def worker_done(self) -> None:
        """The worker sent the end of the result: the time limit no longer stops it (its
        sender keeps to :attr:`deadline`)."""
        self._finish()

    async def _next(self) -> bytes:
        message = await self.messages.get()
        if self.worker is not None and self.worker.job is self:
            self.worker.resume_reading()
        tag = message[:1]
        if tag == TIMED_OUT and self.started_at is None:
            raise errors.EndpointBusy(
                f"every query worker was busy for the whole {self.pool.settings.timeout:g} s "
                "limit, so the query never started; retry in a few seconds."
            )
        if tag == TIMED_OUT:
            raise errors.QueryTimeout(
                f"the query ran longer than the {self.pool.settings.timeout:g} s limit and was "
                "stopped; narrow it (fewer rows, more selective patterns) or run it on a dump."
            )
        if tag == CANCELLED:
            raise errors.WorkerFailed(errors.WorkerFailed.CANCELLED)
        if tag == PREEMPTED:
            raise errors.QueryPreempted(
                "the query was stopped to make room for another client's: this client was "
                "using the most of the query workers; retry in a few seconds, one query at a "
                "time, or run heavy queries on a dump."
            )
        if tag == OUT_OF_MEMORY:
            raise errors.QueryOutOfMemory(
                f"the query needed more than {self.pool.settings.worker_memory_bytes >> 20} MiB "
                "of memory and was stopped; narrow it (fewer rows, no large ORDER BY or "
                "GROUP BY) or run it on a dump."
            )
        if tag == b"E":
            self.complete = True
            raise _error_from(json.loads(message[1:]))
        if tag == b"F":
            self.complete = True
            self.rows = int(message[1:])
        return message

    async def head(self) -> ResultHead:
        """The result's kind and media type; raises the query's error, if any."""
        message = await self._next()
        newline = message.index(b"\n")
        line, body = message[1:newline], memoryview(message)[newline + 1 :]
        kind, media_type, *rows = line.decode().split(" ")
        if message[:1] == b"C":
            self.complete = True
            self.rows = int(rows[0])
        self._first = [body] if body else []
        return ResultHead(ResultKind(kind), BY_NAME[media_type])

    @property
    def pending(self) -> bool:
        """Whether bytes received from the worker are still to be taken from :meth:`chunks`."""
        return bool(self._first)

    async def chunks(self) -> AsyncIterator[bytes | memoryview]:
        """The result's bytes as the worker writes them (resumable: each call continues)."""
        while self._first:
            yield self._first.pop(0)
        while not self.complete:  # a timeout or cancel raises in _next: never a silent end
            message = await self._next()
            if message[:1] == b"D":
                yield memoryview(message)[1:]  # no copy: the body goes out as it came in

    def cancel(self) -> None:
        """Stop the query: forget it if waiting, kill its worker if running."""
        if self.finished:
            return
        self._finish()
        self.messages.put_nowait(CANCELLED)
        self.pool._abandon(self)


class _Worker:
    """One worker process and the pipe to it."""

    def __init__(self, pool: QueryPool) -> None:
        self.pool = pool
        context = multiprocessing.get_context("spawn")
        # Two one-way pipes: results are read without blocking the event loop; requests are
        # written blocking, to a worker that is waiting for them.
        results, results_child = context.Pipe(duplex=False)
        requests_child, self.requests = context.Pipe(duplex=False)
        self.process: BaseProcess = context.Process(
            target=worker_main,
            args=(pool.target, requests_child, results_child),
            name="tipgraph-query-worker",
            daemon=True,
        )
        self.process.start()
        requests_child.close()
        results_child.close()
        self.results = results
        os.set_blocking(results.fileno(), False)
        self._frames = _FrameReader(results.fileno())
        self.ready = False
        self.job: RunningQuery | None = None
        self.last_query_seconds = 0.0  # how long its last query ran
        self._memory_read_at = float("-inf")
        self._reading = False
        self.resume_reading()

    def resume_reading(self) -> None:
        if not self._reading and not self.results.closed:
            self.pool.loop.add_reader(self.results.fileno(), self._on_readable)
            self._reading = True

    def _pause_reading(self) -> None:
        if self._reading:
            self.pool.loop.remove_reader(self.results.fileno())
            self._reading = False

    def _on_readable(self) -> None:
        try:
            messages = self._frames.read()
        except OversizedMessage as error:
            log.error("%s, over the %d limit", error, MAX_MESSAGE_BYTES)
            self.pool._worker_died(self)
            return
        except (EOFError, OSError):
            self.pool._worker_died(self)
            return
        for message in messages:
            self._dispatch(message)

    def _dispatch(self, message: bytes) -> None:
        if message[:1] == b"R":
            self.ready = True
            layers = message[1:].decode()
            self.pool.network_isolation = tuple(layers.split(",")) if layers else ()
            self.pool._worker_idle(self)
        elif self.job is None:
            self.pool._worker_failed_to_start(self, message)
        else:
            self.job.messages.put_nowait(message)
            if message[:1] in (b"C", b"F", b"E"):
                self.job.worker_done()
                started = self.job.started_at
                self.last_query_seconds = self.pool.loop.time() - (started or 0.0)
                self.job = None
                self.resume_reading()  # flow control was the finished job's, not the next one's
                self.pool._worker_idle(self)
            elif self.job.messages.qsize() >= BUFFERED_CHUNKS:
                self._pause_reading()

    def run(self, job: RunningQuery) -> None:
        self.job = job
        job.worker = self
        request, limit = job.request, self.pool.settings.max_result_bytes
        if request.max_bytes is None and limit:
            request = replace(request, max_bytes=limit)
        try:
            self.requests.send_bytes(pickle.dumps(request, pickle.HIGHEST_PROTOCOL))
        except OSError:  # the worker died since it was last idle: its job gets the 503
            self.pool._worker_died(self)

    def memory_worth_reading(self) -> bool:
        """Whether to read the worker's memory now that it is idle: after a query that was not
        quick, and otherwise at most once per IDLE_MEMORY_SECONDS (small queries add up)."""
        now = self.pool.loop.time()
        quick = self.last_query_seconds < QUICK_QUERY_SECONDS
        if quick and now - self._memory_read_at < IDLE_MEMORY_SECONDS:
            return False
        self._memory_read_at = now
        return True

    def resident_bytes(self) -> int:
        """The worker's resident memory (Linux; 0 where /proc cannot tell)."""
        try:
            with open(f"/proc/{self.process.pid}/statm", "rb") as statm:
                return int(statm.read().split()[1]) * PAGE_BYTES
        except (OSError, ValueError, IndexError):
            return 0

    def kill(self) -> None:
        self._pause_reading()
        if self.process.is_alive() and self.process.pid is not None:
            self.process.kill()
        self.process.join(timeout=5)
        self.results.close()
        self.requests.close()


class QueryPool:
    """Worker processes evaluating queries on one read-only store, or forwarding them to a
    SPARQL service (:mod:`tipgraph.query_targets`); use as an async context."""

    def __init__(self, target: QueryTarget, settings: EndpointSettings) -> None:
        self.target = target
        self.settings = settings
        self.loop = asyncio.get_running_loop()
        self._workers: list[_Worker] = []
        self._idle: collections.deque[_Worker] = collections.deque()
        self._waiting: collections.deque[RunningQuery] = collections.deque()
        self._started: asyncio.Future[None] = self.loop.create_future()
        self._closed = False
        self._memory_watch: asyncio.Task[None] | None = None
        self._room_check: asyncio.TimerHandle | None = None
        # What keeps the workers off the network: "namespace", "seccomp" (tipgraph.sandbox).
        self.network_isolation: tuple[str, ...] = ()
        self.ledger = ClientLedger(settings.client_seconds, settings.client_queries)

    async def __aenter__(self) -> QueryPool:
        self._workers = [_Worker(self) for _ in range(self.settings.workers)]
        try:
            await asyncio.wait_for(asyncio.shield(self._started), timeout=60)
        except BaseException:
            await self.close()
            raise
        if self.settings.worker_memory_bytes:
            self._memory_watch = asyncio.create_task(self._watch_memory())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        if self._memory_watch is not None:
            self._memory_watch.cancel()
        if self._room_check is not None:
            self._room_check.cancel()
        for worker in self._workers:
            worker.kill()
        self._workers.clear()
        self._idle.clear()

    @property
    def alive(self) -> int:
        """Workers running (a worker that cannot open the store is not replaced)."""
        return len(self._workers)

    @property
    def ready(self) -> int:
        """Workers that have opened the store (a replacement takes a moment to)."""
        return sum(1 for w in self._workers if w.ready)

    @property
    def busy(self) -> int:
        """Queries running now."""
        return sum(1 for w in self._workers if w.job is not None)

    @property
    def waiting(self) -> int:
        """Queries waiting for a worker."""
        return len(self._waiting)

    def submit(self, request: QueryRequest, client: str = "") -> RunningQuery:
        """Start ``request`` of ``client`` on an idle worker or queue it.

        TooManyRequests if the client is over its share (:mod:`tipgraph.serving.fairness`);
        EndpointBusy if the queue is full.
        """
        now = self.loop.time()
        self.ledger.admit(client, now)  # a client over its share hears so first
        starts = self.ledger.may_start(client, len(self._idle))
        if not starts and len(self._waiting) >= self.settings.queue_size:
            self.ledger.dropped(client)
            raise errors.EndpointBusy(
                "every query worker is busy and the queue is full; retry in a few seconds."
            )
        job = RunningQuery(request, self, client, queued_at=now)
        job.start_timer(now + self.settings.timeout)
        if starts:
            self._start(self._idle.popleft(), job)
        else:
            self._waiting.append(job)
            self._check_room_later()
        return job

    def _start(self, worker: _Worker, job: RunningQuery) -> None:
        self.ledger.started(job.client)
        job.started_at = self.loop.time()
        worker.run(job)

    def _job_ended(self, job: RunningQuery) -> None:
        if job.started_at is None:
            self.ledger.dropped(job.client)
        else:
            now = self.loop.time()
            self.ledger.finished(job.client, now - job.started_at, now)
        # Its client may now start a waiting query on a worker left idle for the others.
        self.loop.call_soon(self._schedule)
        self._check_room_later()  # or, with nothing running any more, need room made

    def _schedule(self) -> None:
        """Start waiting queries on idle workers, while some waiting client may start one."""
        while self._idle and (job := self._next_job()) is not None:
            self._start(self._idle.popleft(), job)

    def _next_job(self) -> RunningQuery | None:
        """The waiting query to start next: of the client running fewest, oldest first."""
        chosen: RunningQuery | None = None
        for job in self._waiting:
            if job.finished or not self.ledger.may_start(job.client, len(self._idle)):
                continue
            if chosen is None or self.ledger.running(job.client) < self.ledger.running(
                chosen.client
            ):
                chosen = job
        if chosen is not None:
            self._waiting.remove(chosen)
        return chosen

    def _starved(self) -> list[RunningQuery]:
        """Waiting queries of clients with nothing running: those room is made for."""
        return [
            job
            for job in self._waiting
            if not job.finished and self.ledger.running(job.client) == 0
        ]

    def _check_room_later(self) -> None:
        """Look at :meth:`_make_room` when the longest-waiting starved query has waited
        PREEMPT_SECONDS (at once if it has; never with fairness off)."""
        starved = self._starved()
        if not self.ledger.fair or self._closed or not starved:
            return
        due = min(job.queued_at for job in starved) + PREEMPT_SECONDS
        if self._room_check is not None:
            if self._room_check.when() <= due:
                return
            self._room_check.cancel()
        self._room_check = self.loop.call_at(due, self._make_room)

    def _make_room(self) -> None:
        """Stop a running query for each starved query that has waited PREEMPT_SECONDS and
        that neither an idle worker nor a replacement on its way will take (the oldest starved
        queries take those: :meth:`_next_job`)."""
        self._room_check = None
        if self._closed:
            return
        now = self.loop.time()
        starved = self._starved()
        due = [job for job in starved if now - job.queued_at >= PREEMPT_SECONDS]
        coming = len(self._idle) + sum(1 for w in self._workers if not w.ready)
        for job in due[coming:]:
            self._preempt_for(job, now)
        if starved:  # look again: a victim may become eligible, a replacement be taken
            when = min(job.queued_at for job in starved) + PREEMPT_SECONDS
            self._room_check = self.loop.call_at(
                max(when, now + ROOM_CHECK_SECONDS), self._make_room
            )

    def _preempt_for(self, waiting: RunningQuery, now: float) -> None:
        """Stop, for ``waiting``, a query of the client :meth:`ClientLedger.heaviest` chooses
        among those with a query that has run PREEMPT_SECONDS (its longest-running one)."""
        ran: dict[str, float] = {}
        eligible: list[RunningQuery] = []
        for worker in self._workers:
            job = worker.job
            if job is None or job.finished or job.started_at is None:
                continue
            ran[job.client] = ran.get(job.client, 0.0) + now - job.started_at
            if now - job.started_at >= PREEMPT_SECONDS:
                eligible.append(job)
        candidates = {job.client: ran[job.client] for job in eligible}
        client = self.ledger.heaviest(candidates, now, waiting.client)
        if client is None:
            return
        victim = min(
            (job for job in eligible if job.client == client),
            key=lambda job: job.started_at or now,
        )
        log.info("stopping a query of the busiest client to make room for another client's")
        victim.preempt()

    def _worker_idle(self, worker: _Worker) -> None:
        if not self._started.done() and all(w.ready for w in self._workers):
            self._started.set_result(None)
        limit = self.settings.worker_memory_bytes
        if limit and worker.memory_worth_reading() and worker.resident_bytes() > limit // 2:
            # The memory a large query took stays with its process: a new one takes its place,
            # so the next query starts small and is never stopped for what came before.
            self._replace(worker)
            return
        self._idle.append(worker)
        self._schedule()

    async def _watch_memory(self) -> None:
        """Stop any query whose worker grows past ``worker_memory_bytes``."""
        limit = self.settings.worker_memory_bytes
        while True:
            await asyncio.sleep(MEMORY_CHECK_SECONDS)
            try:
                for worker in list(self._workers):
                    if worker.job is not None and worker.resident_bytes() > limit:
                        log.warning("stopping a query whose worker passed %d MiB", limit >> 20)
                        worker.job.stop_for_memory()
            except Exception:  # the watch goes on, whatever one round met
                log.exception("the memory watch failed a round")

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        with contextlib.suppress(ValueError):
            self._workers.remove(worker)
        with contextlib.suppress(ValueError):
            self._idle.remove(worker)
        if not self._closed:
            self._workers.append(_Worker(self))

    def _abandon(self, job: RunningQuery) -> None:
        if job in self._waiting:
            self._waiting.remove(job)
        elif job.worker is not None and job.worker.job is job:
            log.info("stopping an abandoned or overdue query")
            self._replace(job.worker)

    def _worker_died(self, worker: _Worker) -> None:
        job = worker.job
        worker.job = None
        if job is not None:
            job.worker_done()
            failed = errors.WorkerFailed(errors.WorkerFailed.DIED)
            job.messages.put_nowait(b"E" + json.dumps(error_body(failed)).encode())
        if not self._started.done():
            self._started.set_exception(errors.StoreError("a query worker died on start"))
        log.warning("query worker %s died; replacing it", worker.process.pid)
        self._replace(worker)

    def _worker_failed_to_start(self, worker: _Worker, message: bytes) -> None:
        body = json.loads(message[1:]) if message[:1] == b"E" else {"message": "no answer"}
        if not self._started.done():
            self._started.set_exception(errors.StoreError(str(body.get("message"))))
        log.error("a query worker could not start: %s", body.get("message"))
        worker.kill()
        with contextlib.suppress(ValueError):
            self._workers.remove(worker)
