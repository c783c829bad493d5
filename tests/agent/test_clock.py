"""A Pi without a real-time clock: readings before NTP are re-dated, or flagged."""

import time
from pathlib import Path

from localstate import open_local_state
from sensors.agent import Agent
from sensors.time.clock import FakeClock
from tests.agent.conftest import running, station_settings, wait_until
from tests.agent.station import payloads, readings, served_link

DAY_MS = 86_400_000


def test_readings_before_the_clock_is_set_are_held_then_re_dated_to_the_true_time(
    tmp_path: Path,
) -> None:
    # fake-hwclock restored a time three days old; NTP has not answered yet.
    clock = FakeClock(offset_ms=-3 * DAY_MS, is_synced=False)
    settings = station_settings(tmp_path, clock_check="kernel", health_interval_s=0.1)
    link = served_link()
    agent = Agent(settings, clock=clock, link=link)
    real_start = time.time_ns() // 1_000_000
    with running(agent):
        assert wait_until(lambda: agent.outbox.depth >= 5)
        # Each turn of the agent's loop that publishes health then offers the outbox, so by
        # the second health message the outbox has had its chance: nothing went.
        assert link.wait_for(lambda: len(payloads(link, "health")) >= 2)
        assert readings(link) == [], "a guessed time was published"
        snapshot = open_local_state(tmp_path, create=False).state.snapshot()
        assert snapshot.clock_synced is False
        clock.offset_ms, clock.is_synced = 0, True
        assert link.wait_for(lambda: any(r["time"] == "synced" for r in readings(link)))
        real_end = time.time_ns() // 1_000_000
    sent = readings(link)
    sources = [r["time"] for r in sent]
    redated = sources.count("redated")
    assert redated >= 5
    assert sources[:redated] == ["redated"] * redated, "re-dated readings keep their place"
    stamps = [r["ts"] for r in sent]
    assert stamps == sorted(stamps)
    assert all(real_start - 50 <= ts <= real_end + 50 for ts in stamps), "times are true times"


def test_a_clock_that_never_synchronises_is_published_flagged_after_the_hold_time(
    tmp_path: Path,
) -> None:
    clock = FakeClock(offset_ms=-3 * DAY_MS, is_synced=False)
    settings = station_settings(tmp_path, clock_check="kernel", unsynced_hold_s=0.5)
    link = served_link()
    with running(Agent(settings, clock=clock, link=link)):
        assert link.wait_for(lambda: len(readings(link)) >= 3)
    assert {r["time"] for r in readings(link)} == {"unsynced"}


def test_clock_jumps_forward_and_back_are_noticed_and_no_reading_is_lost(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    link = served_link()
    agent = Agent(station_settings(tmp_path), clock=clock, link=link)
    hour = 3_600_000

    def stamps() -> list[int]:
        return [r["ts"] for r in readings(link)]

    def real_now() -> int:
        return time.time_ns() // 1_000_000

    with running(agent):
        assert link.wait_for(lambda: len(stamps()) >= 3)
        clock.jump(hour)
        assert wait_until(lambda: agent.time.jumps == 1)
        assert link.wait_for(lambda: any(ts > real_now() + hour - 60_000 for ts in stamps()))
        clock.jump(-2 * hour)
        assert wait_until(lambda: agent.time.jumps == 2)
        assert link.wait_for(lambda: any(ts < real_now() - hour + 60_000 for ts in stamps()))
    assert len(set(stamps())) == len(stamps())
