"""The collector pause: off inside, restored after, shared by overlapping blocks and threads."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from app.core.heap import collection_paused, pause_holders


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if was:  # restore what the test found, both ways: a test here may leave the collector disabled
        gc.enable()
    else:
        gc.disable()


def test_paused_inside_and_resumed_after() -> None:
    with collection_paused():
        assert not gc.isenabled()
        assert pause_holders() == 1
    assert gc.isenabled()
    assert pause_holders() == 0


def test_resumed_after_an_exception() -> None:
    with pytest.raises(RuntimeError), collection_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()
    assert pause_holders() == 0


def test_nested_blocks_resume_only_at_the_outermost() -> None:
    with collection_paused():
        with collection_paused():
            assert pause_holders() == 2
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    with collection_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_as_a_decorator_each_call_pauses() -> None:
    @collection_paused()
    def inside() -> bool:
        return gc.isenabled()

    assert inside() is False
    assert inside() is False
    assert gc.isenabled()


def test_overlapping_threads_share_one_pause() -> None:
    first_in, second_in, first_may_leave = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def first() -> None:
        with collection_paused():
            first_in.set()
            first_may_leave.wait(5)
        seen["after_first_left"] = gc.isenabled()
        second_in.set()

    def second() -> None:
        first_in.wait(5)
        with collection_paused():
            first_may_leave.set()
            second_in.wait(5)
            seen["second_still_paused"] = not gc.isenabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == {"after_first_left": False, "second_still_paused": True}
    assert gc.isenabled()
    assert pause_holders() == 0
