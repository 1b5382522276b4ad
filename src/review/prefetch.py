"""An iterator's next items made in a thread while the caller works on the current one: the second
core's share of a loop whose two halves release the GIL (pyarrow reading and typing a chunk of a
large CSV, while the caller hashes and writes the chunk before it to Parquet).

The items come in their order; an exception raised making one is raised where the caller takes
it, with its own traceback; when the caller stops early (an error of its own, or a `break`), the
thread stops at its next item, and the iterator is closed there.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator

_DONE = object()


def prefetched(items: Iterable, ahead: int = 1, name: str = "review-prefetch") -> Iterator:
    """`items`, each made in a thread up to `ahead` items before the caller takes it."""
    made: queue.Queue = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def make() -> None:
        iterator = iter(items)
        try:
            for item in iterator:
                while not stop.is_set():
                    try:
                        made.put(("item", item), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    break
        except BaseException as exc:  # the caller raises it
            _put(made, stop, ("error", exc))
        else:
            _put(made, stop, ("done", _DONE))
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=make, name=name, daemon=True)
    thread.start()
    try:
        while True:
            kind, value = made.get()
            if kind == "done":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        thread.join()


def _put(made: queue.Queue, stop: threading.Event, entry: tuple) -> None:
    while not stop.is_set():
        try:
            made.put(entry, timeout=0.1)
            return
        except queue.Full:
            continue
