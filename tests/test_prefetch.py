"""review.prefetch: an iterator's items made one ahead in a thread, in order; its errors raised
where the caller takes the item; stopped and closed when the caller stops."""

from __future__ import annotations

import threading
import time

import pytest

from review.errors import ReviewError
from review.prefetch import prefetched


def test_items_come_in_order_and_are_made_ahead_in_another_thread():
    made_by = []

    def items():
        for i in range(50):
            made_by.append(threading.current_thread().name)
            yield i

    assert list(prefetched(items(), name="maker")) == list(range(50))
    assert set(made_by) == {"maker"}

    taken = []

    def slow():
        for i in range(3):
            time.sleep(0.2)
            yield i

    began = time.perf_counter()
    for item in prefetched(slow()):
        time.sleep(0.2)  # the caller's work on an item overlaps the making of the next
        taken.append(item)
    assert taken == [0, 1, 2] and time.perf_counter() - began < 1.1  # one after another: 1.2 s


def test_an_error_making_an_item_is_raised_where_the_caller_takes_it():
    def items():
        yield 1
        raise ReviewError("contacts.csv: line 7: expected 7 fields")

    got = []
    with pytest.raises(ReviewError, match="line 7"):
        for item in prefetched(items()):
            got.append(item)
    assert got == [1]


def test_a_caller_that_stops_early_stops_the_thread_and_closes_the_items():
    closed = threading.Event()

    def items():
        try:
            for i in range(1_000_000):
                yield i
        finally:
            closed.set()

    before = threading.active_count()
    for item in prefetched(items(), ahead=2):
        if item == 3:
            break
    assert closed.wait(5) and threading.active_count() == before

    with pytest.raises(ValueError):
        for item in prefetched(items()):
            raise ValueError("the caller's own error")
    assert threading.active_count() == before
