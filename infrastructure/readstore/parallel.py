"""Rebuilding read models in parallel processes, one group of models per core.

A rebuild is CPU-bound Python (decode, apply, format rows); one process uses one core. Each worker process builds its
own Projector (its own connections: nothing opened before the fork is used after it), reads the log itself and
swaps in its models' rows and tracking positions in its own transaction, so each model stays exactly-once.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import stat
from collections.abc import Callable, Sequence
from typing import Any

from infrastructure.readstore.runner import Progress, Projector


class RebuildWorkerError(RuntimeError):
    """A worker process failed; its models keep their previous rows and positions."""


def groups_of(projector: Projector, names: Sequence[str], workers: int) -> list[list[str]]:
    """Models split into at most `workers` groups of similar cost (a model's `weight`, 1 by default)."""
    bins: list[tuple[float, list[str]]] = [(0.0, []) for _ in range(max(1, min(workers, len(names))))]
    for name in sorted(names, key=lambda n: -getattr(projector.models[n], "weight", 1)):
        load, members = min(bins, key=lambda item: item[0])
        bins.remove((load, members))
        bins.append((load + getattr(projector.models[name], "weight", 1), [*members, name]))
    return [members for _, members in bins if members]


def rebuild_parallel(
    projector: Projector,
    factory: Callable[[], Projector],
    names: Sequence[str] = (),
    workers: int | None = None,
    progress: Progress | None = None,
) -> int:
    """Rebuild the named models (all if none) with `workers` processes (default: one per core); the calling process
    rebuilds the first group itself. Returns the events read by this process."""
    names = list(names or projector.models)
    groups = groups_of(projector, names, workers or os.cpu_count() or 1)
    if len(groups) == 1:
        return projector.rebuild(*groups[0], progress=progress)
    context = multiprocessing.get_context("fork")
    children = []
    for group in groups[1:]:
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(target=_work, args=(factory, group, sender), daemon=True)
        child.start()
        sender.close()
        children.append((child, receiver, group))
    read = projector.rebuild(*groups[0], progress=progress)
    failures = []
    for child, receiver, group in children:
        outcome: Any = receiver.recv() if receiver.poll(None) else "no answer"
        child.join()
        if not isinstance(outcome, int):
            failures.append(f"{', '.join(group)}: {outcome}")
    if failures:
        raise RebuildWorkerError("; ".join(failures))
    return read


def _work(factory: Callable[[], Projector], names: list[str], sender: Any) -> None:
    try:
        _drop_inherited_sockets()
        projector = factory()
        sender.send(projector.rebuild(*names))
        projector.store.close()
    except BaseException as error:  # reported to the parent, which raises
        sender.send(f"{type(error).__name__}: {error}")
    finally:
        sender.close()
        os._exit(0)  # skip finalizers: they would close connections inherited from the parent


def _drop_inherited_sockets() -> None:
    """Close this child's copies of the parent's sockets (its database connections), without a word on them.

    Otherwise a parent killed in its swap transaction stays connected through the child's copy: its transaction,
    holding its tables' exclusive locks, never ends, and the child waits on those locks for good. Closing a copy
    leaves the parent's own connection as it is."""
    for name in os.listdir("/proc/self/fd") if os.path.isdir("/proc/self/fd") else ():
        with contextlib.suppress(OSError):  # the listing's own descriptor is gone by now
            if stat.S_ISSOCK(os.fstat(int(name)).st_mode):
                os.close(int(name))
