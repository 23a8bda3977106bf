"""Read the next source page while the destination loads the current one."""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from typing import TypeVar

T = TypeVar("T")
_END = object()


def prefetch(pages: Iterator[T], depth: int = 1) -> Generator[T, None, None]:
    """Pages of `pages`, fetched one ahead in a thread (drivers release the GIL on I/O).

    At most `depth` pages wait in the queue, so memory stays bounded. Closing the
    generator stops the reader after the page it is fetching; errors surface in order.
    """
    box: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def reader() -> None:
        try:
            for page in pages:
                if not _put(box, page, stop):
                    return
            _put(box, _END, stop)
        except BaseException as exc:  # handed to the consumer, raised there
            _put(box, _Failure(exc), stop)
        finally:
            close = getattr(pages, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=reader, name="sync-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item = box.get()
            if item is _END:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while thread.is_alive():
            try:
                box.get_nowait()  # unblock a reader waiting to put
            except queue.Empty:
                pass
            thread.join(timeout=0.005)


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def _put(box: queue.Queue[object], item: object, stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            box.put(item, timeout=0.05)
            return True
        except queue.Full:
            continue
    return False
