"""review.forked: a call in a forked child gives back its value or its exception, and says when
the child died."""

from __future__ import annotations

import os

import pytest

from review.errors import ReviewError
from review.forked import Forked


def _pid_and(value):
    return os.getpid(), value


def _fail():
    raise KeyError("the message")


class _Unpicklable(Exception):
    def __init__(self, a, b):  # pickle rebuilds it with one argument: it cannot come back as it is
        super().__init__(f"{a}/{b}")


def _unpicklable():
    raise _Unpicklable("x", "y")


def test_the_value_comes_back_from_another_process():
    job = Forked(_pid_and, {"rows": [1, 2]})
    pid, value = job.result()
    assert pid != os.getpid() and value == {"rows": [1, 2]}
    assert job.seconds >= 0 and job.result()[1] == value  # asked twice, the same answer


def test_the_exception_comes_back_with_its_type():
    with pytest.raises(KeyError, match="the message"):
        Forked(_fail).result()


def test_an_exception_that_cannot_be_rebuilt_comes_back_as_its_words():
    with pytest.raises(ReviewError, match=r"_Unpicklable: x/y"):
        Forked(_unpicklable).result()


def test_a_child_that_dies_is_named():
    with pytest.raises(ReviewError, match=r"the checker: .*exit code 7"):
        Forked(os._exit, 7, name="the checker").result()
