"""The throttle: one call at a time, a gap after each, kept across threads and processes."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest

from tourapp import throttle as throttle_module
from tourapp.throttle import NoTurn, Throttle


class FakeClock:
    """A monotonic clock the test moves by hand; ``sleep`` advances it."""

    def __init__(self) -> None:
        self.now_s = 100.0
        self.slept_s: list[float] = []

    def __call__(self) -> float:
        return self.now_s

    def sleep(self, seconds: float) -> None:
        self.slept_s.append(seconds)
        self.now_s += seconds


def test_the_throttle_waits_out_the_rest_of_the_second_after_the_previous_call_ended():
    clock = FakeClock()
    throttle = Throttle(1.0, clock=clock, sleep=clock.sleep)
    with throttle.turn(wait_limit_s=5):
        clock.now_s += 0.4  # the first call takes 0.4 s
    clock.now_s += 0.25
    with throttle.turn(wait_limit_s=5):
        pass
    assert clock.slept_s == [pytest.approx(0.75)]


def test_the_throttle_does_not_wait_when_a_second_has_passed():
    clock = FakeClock()
    throttle = Throttle(1.0, clock=clock, sleep=clock.sleep)
    with throttle.turn(wait_limit_s=5):
        pass
    clock.now_s += 3
    with throttle.turn(wait_limit_s=5):
        pass
    assert clock.slept_s == []


def test_a_paused_throttle_refuses_naming_the_rest_instead_of_making_callers_wait_minutes():
    clock = FakeClock()
    throttle = Throttle(1.0, clock=clock, sleep=clock.sleep)
    with throttle.turn(wait_limit_s=5):
        throttle.pause(60)
    with pytest.raises(NoTurn) as refused, throttle.turn(wait_limit_s=5):
        pass
    assert refused.value.resting_s == pytest.approx(60)
    clock.now_s += 61
    with throttle.turn(wait_limit_s=5):
        pass
    assert clock.slept_s == []


def test_a_caller_that_cannot_get_a_turn_in_time_is_refused_not_queued():
    throttle = Throttle(0.0)
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        with throttle.turn(wait_limit_s=1):
            entered.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    entered.wait(10)
    try:
        with pytest.raises(NoTurn) as refused, throttle.turn(wait_limit_s=0.05):
            pass
        assert refused.value.resting_s == 0.0
    finally:
        release.set()
        holder.join(10)


class TwoProcesses:
    """Two throttles on one state file: each opens and locks it apart, as two workers do."""

    def __init__(self, path: Path, clock: FakeClock | None = None) -> None:
        options = {"clock": clock, "sleep": clock.sleep} if clock else {}
        self.first = Throttle(1.0, state_file=path, **options)  # type: ignore[arg-type]
        self.second = Throttle(1.0, state_file=path, **options)  # type: ignore[arg-type]


def test_a_process_waits_out_the_second_after_another_processs_call_ended(tmp_path):
    clock = FakeClock()
    workers = TwoProcesses(tmp_path / "geocoder.throttle", clock)
    with workers.first.turn(wait_limit_s=5):
        clock.now_s += 0.4
    clock.now_s += 0.25
    with workers.second.turn(wait_limit_s=5):
        pass
    assert clock.slept_s == [pytest.approx(0.75)]


def test_a_process_that_cannot_get_the_file_in_time_is_refused(tmp_path):
    workers = TwoProcesses(tmp_path / "geocoder.throttle")
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        with workers.first.turn(wait_limit_s=1):
            entered.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    entered.wait(10)
    try:
        with pytest.raises(NoTurn) as refused, workers.second.turn(wait_limit_s=0.05):
            pass
        assert refused.value.resting_s == 0.0
    finally:
        release.set()
        holder.join(10)
    with workers.second.turn(wait_limit_s=5):  # its turn comes once the other's has ended
        pass


def test_a_rest_stored_before_a_reboot_is_forgotten(tmp_path, monkeypatch):
    clock = FakeClock()
    workers = TwoProcesses(tmp_path / "geocoder.throttle", clock)
    monkeypatch.setattr(throttle_module, "boot_id", lambda: "the boot before")
    with workers.first.turn(wait_limit_s=5):
        workers.first.pause(3600)
    monkeypatch.undo()
    with workers.second.turn(wait_limit_s=5):  # the clock restarted at boot: 3600 s means nothing
        pass
    assert clock.slept_s == []


def test_a_damaged_state_file_is_ignored_not_a_crash(tmp_path):
    path = tmp_path / "geocoder.throttle"
    path.write_bytes(b"written_s=nan next_s=\xff\x00 boot=")
    clock = FakeClock()
    throttle = Throttle(1.0, state_file=path, clock=clock, sleep=clock.sleep)
    with throttle.turn(wait_limit_s=5):
        clock.now_s += 0.5
    with throttle.turn(wait_limit_s=5):  # and the file is whole again for the next caller
        pass
    assert clock.slept_s == [pytest.approx(1.0)]


def test_without_a_usable_cache_dir_the_limit_holds_in_this_process_and_it_is_logged_once(
        tmp_path, caplog):
    (tmp_path / "a-file").write_text("not a directory")
    clock = FakeClock()
    throttle = Throttle(1.0, state_file=tmp_path / "a-file" / "geocoder.throttle", clock=clock, sleep=clock.sleep)
    with caplog.at_level(logging.WARNING, logger="tourapp.throttle"):
        for _ in range(3):
            with throttle.turn(wait_limit_s=5):
                pass
    assert clock.slept_s == [pytest.approx(1.0)] * 2
    (record,) = caplog.records
    assert "in this process only" in record.getMessage()
    assert "a-file" in record.getMessage()
