"""Past one machine: `batch` and `sweep` chunks on a Dask distributed cluster.

    dask scheduler                                  # on one machine: tcp://HOST:8786
    dask worker tcp://HOST:8786 --nworkers auto --nthreads 1      # on every machine
    imminence sweep case.yaml --vary ... --out sweep.parquet --cluster tcp://HOST:8786

Workers need this package installed (the same version: the rules travel with it, the
chunks carry only cells or scenario text). A chunk is thousands of scenarios; chunks are
submitted through a bounded window and their results taken in submission order, so the
output is the same, in the same order, as on local workers, and the client's memory stays
flat. For `batch` the journal (and so `--resume`) is exactly as with local workers.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.errors import ImminenceError

if TYPE_CHECKING:
    from engine.batch.sweep import Results, SweepPlan


class ClusterError(ImminenceError):
    """The cluster cannot be reached or used."""


CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler


def connect(address: str, timeout: float | None = None) -> Any:
    """A Dask client of the scheduler at `address` (tcp://HOST:PORT), or ClusterError."""
    if not address.startswith(("tcp://", "tls://", "inproc://", "ws://", "wss://")):
        raise ClusterError(f"--cluster: expected a scheduler address like tcp://HOST:8786, "
                           f"got {address!r}")
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise ClusterError(f"--cluster needs dask[distributed]: {exc}") from None
    try:
        client_cls: Any = Client
        return client_cls(address, timeout=timeout or CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"--cluster: cannot reach the Dask scheduler at {address}: "
                           f"{exc}") from None


def window(client: Any) -> int:
    """Chunks in flight: two per worker thread, and a few more."""
    try:
        threads = int(sum(client.nthreads().values()))
    except Exception:  # pragma: no cover - a scheduler that does not answer
        threads = 1
    return 2 * max(1, threads) + 2


def ordered(client: Any, fn: Any, items: Iterator[Any], *extra: Any) -> Iterator[Any]:
    """fn(item, *extra) for each item on the cluster; results in submission order, with a
    bounded number of chunks in flight. Cancels what is in flight if interrupted."""
    pending: deque[Any] = deque()
    limit = window(client)
    exhausted = False
    try:
        while True:
            while not exhausted and len(pending) < limit:
                nxt = next(items, None)
                if nxt is None:
                    exhausted = True
                else:
                    pending.append(client.submit(fn, nxt, *extra, pure=False))
            if not pending:
                return
            yield pending.popleft().result()
    finally:
        if pending:
            client.cancel(list(pending))


# --------------------------------------------------------------------------- sweep


def _sweep_chunk(bounds: tuple[int, int], p: SweepPlan, rows: bool) -> Any:
    start, stop = bounds
    if not rows:
        key = p.keys(p.digits(start, stop))
        if key is not None:
            return key.astype(np.int32)
    _, res = p.evaluate(start, stop)
    return res.compact()


def sweep_results(client: Any, p: SweepPlan, chunk: int, rows: bool = True) -> Results:
    """The sweep's chunks evaluated on the cluster, in order (see sweep.local_results)."""
    [shared] = client.scatter([p], broadcast=True)
    for (start, stop), res in zip(_bounds(p.total, chunk),
                                  ordered(client, _sweep_chunk, _bounds(p.total, chunk),
                                          shared, rows),
                                  strict=True):
        digits = p.digits(start, stop)
        yield start, digits, res.astype(np.int64) if isinstance(res, np.ndarray) else res


def _bounds(total: int, chunk: int) -> Iterator[tuple[int, int]]:
    for s in range(0, total, chunk):
        yield s, min(total, s + chunk)


# --------------------------------------------------------------------------- batch


def _batch_chunk(tasks: list[Any], config: Any) -> Any:
    from engine.batch import run

    run._init_worker_local(config)
    return run._run_chunk(tasks)


def batch_results(client: Any, chunks: Iterator[list[Any]], config: Any) -> Iterator[Any]:
    """batch chunk results (engine.batch.run.ChunkResult) from the cluster, in order."""
    [shared] = client.scatter([config], broadcast=True)
    yield from ordered(client, _batch_chunk, chunks, shared)


__all__ = ["ClusterError", "batch_results", "connect", "ordered", "sweep_results"]
