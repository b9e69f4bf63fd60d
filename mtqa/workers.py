"""``mtqa check --jobs N``: documents checked in N forked worker processes, in input order.

Workers are forked from the parent once its checks and model are loaded, so they start at
once and share those pages. Documents travel in batches; at most a few batches per worker
are in flight, so a long feed is read as it is checked.

A worker that dies (killed, out of memory, a crash in native code) loses no document: the
documents of every batch it took down are checked again one at a time in a fresh pool, and
only a document that kills a worker on its own is reported as failed. A batch whose results
cannot come back is checked again one document at a time in the same way.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from mtqa.document import INTERNAL_ERROR, Document, InputFailure

if TYPE_CHECKING:
    from mtqa.api import Checker

# Documents go to a worker in batches of about this many characters (a few short articles,
# or one long one): one task per article cost the parent a millisecond of pickling and
# thread hand-offs each, a tenth of a core on a feed of short articles checked by the rules
# alone. With the model an article costs a hundred times that, so batches are single
# articles and a small feed still spreads over every worker.
BATCH_CHARS = 16_000
BATCH_CHARS_WITH_MODEL = 1
IN_FLIGHT_PER_JOB = 4

_worker: Checker | None = None


def _start_worker(checker: Checker) -> None:
    """In a forked worker: the parent's loaded checks and model, with one BLAS and one ONNX
    Runtime thread (a job is a core; two threads per worker would fight over the same cores)."""
    global _worker
    _worker = checker
    from threadpoolctl import threadpool_limits

    from mtqa.qe.quantized import limit_threads

    threadpool_limits(1)
    limit_threads(1)


def _check_batch(docs: list[Document]) -> list[Document | InputFailure]:
    assert _worker is not None, "worker not started"
    return [_worker.check_isolated(doc) for doc in docs]


class _Pool:
    """A fork pool of ``jobs`` workers, replaced by a fresh one after a worker dies.

    Each pool is a generation: a batch that failed with a dead worker replaces the pool only
    if it ran in the current one, so that batches queued since in a fresh pool keep going."""

    def __init__(self, checker: Checker, jobs: int) -> None:
        self.checker, self.jobs = checker, jobs
        self._executor: ProcessPoolExecutor | None = None
        self.generation = 0

    def submit(self, docs: list[Document]) -> tuple[int, Future]:
        for _ in range(2):  # a pool found broken is replaced once
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    self.jobs,
                    mp_context=multiprocessing.get_context("fork"),
                    initializer=_start_worker,
                    initargs=(self.checker,),
                )
            try:
                return self.generation, self._executor.submit(_check_batch, docs)
            except BrokenProcessPool:
                self.replace(self.generation)
        raise BrokenProcessPool("worker processes die as soon as they start")

    def replace(self, generation: int) -> None:
        """Shut the pool of ``generation`` down, if it is still the current one."""
        if generation == self.generation and self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
            self.generation += 1

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)


def check_in_workers(
    checker: Checker, items: Iterator[Document | InputFailure], jobs: int
) -> Iterator[Document | InputFailure]:
    """Check documents in ``jobs`` worker processes and yield them in input order."""
    pool = _Pool(checker, jobs)
    batch_limit = BATCH_CHARS_WITH_MODEL if checker.config.model else BATCH_CHARS
    queue: deque[tuple[list[Document], int, Future] | InputFailure] = deque()
    batch: list[Document] = []
    batch_chars = 0

    def send() -> None:
        nonlocal batch, batch_chars
        if batch:
            queue.append((batch, *pool.submit(batch)))
            batch, batch_chars = [], 0

    def done(entry: tuple[list[Document], int, Future] | InputFailure) -> list[Document | InputFailure]:
        if isinstance(entry, InputFailure):
            return [entry]
        docs, generation, pending = entry
        try:
            return pending.result()
        except BrokenProcessPool:
            pool.replace(generation)
            return [_alone(pool, doc) for doc in docs]
        except Exception:  # a result that cannot travel back (pickling): find the document
            return [_alone(pool, doc) for doc in docs]

    try:
        for item in items:
            if isinstance(item, InputFailure):
                send()  # keeps input order: the documents read before it go first
                queue.append(item)
            else:
                batch.append(item)
                batch_chars += len(item.text)
                if batch_chars >= batch_limit:
                    send()
            while len(queue) > IN_FLIGHT_PER_JOB * jobs:
                yield from done(queue.popleft())
        send()
        while queue:
            yield from done(queue.popleft())
    finally:
        pool.close()


def _alone(pool: _Pool, doc: Document) -> Document | InputFailure:
    """``doc`` checked on its own after its batch failed; a failure if it fails on its own too."""
    generation, pending = pool.submit([doc])
    try:
        return pending.result()[0]
    except BrokenProcessPool:
        pool.replace(generation)
        reason = "a worker process died while checking it (out of memory?)"
    except Exception as e:
        reason = f"internal error in a worker process ({type(e).__name__})"
    return InputFailure(doc.path, f"{doc.path}: {reason}; the other inputs were checked", INTERNAL_ERROR)
