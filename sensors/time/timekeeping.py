"""Timestamps for readings: synced, or unsynced and re-dated later; clock jumps noticed.

Pure logic over a ``Clock``. The offset ``wall − monotonic`` is constant while nobody sets
the clock, so a change in it is a jump, and once the clock is synchronised the offset turns
any earlier monotonic time of the same boot into the right wall time.
"""

import logging
from dataclasses import dataclass

from contract.messages import TimeSource
from sensors.time.clock import Clock

log = logging.getLogger("kyusui.agent.time")


@dataclass(frozen=True, slots=True)
class Stamp:
    ts: int  # wall clock, UTC epoch ms (a guess when source is UNSYNCED)
    mono_ms: int
    boot_id: str
    source: TimeSource


@dataclass(frozen=True, slots=True)
class Synchronised:
    """The clock has just become synchronised: ``wall = mono + offset_ms`` in ``boot_id``."""

    boot_id: str
    offset_ms: int


class TimeKeeper:
    def __init__(self, clock: Clock, jump_threshold_ms: int = 5_000) -> None:
        self.clock = clock
        self.jump_threshold_ms = jump_threshold_ms
        self.synced = False
        self.jumps = 0
        self._offset: int | None = None

    def _offset_now(self) -> int:
        return self.clock.wall_ms() - self.clock.monotonic_ms()

    def check(self) -> Synchronised | None:
        """Call before stamping; says when the clock has become synchronised."""
        offset = self._offset_now()
        if self._offset is not None and abs(offset - self._offset) > self.jump_threshold_ms:
            self.jumps += 1
            log.warning(
                "wall clock jumped by %+.1f s (%s)",
                (offset - self._offset) / 1000,
                "synchronised" if self.clock.synced() else "not synchronised",
            )
        self._offset = offset
        now_synced = self.clock.synced()
        became = now_synced and not self.synced
        if self.synced and not now_synced:
            log.warning("wall clock lost synchronisation; readings are flagged until it is back")
        self.synced = now_synced
        if became:
            log.info("wall clock is synchronised")
            return Synchronised(self.clock.boot_id(), offset)
        return None

    def stamp(self) -> Stamp:
        return Stamp(
            ts=self.clock.wall_ms(),
            mono_ms=self.clock.monotonic_ms(),
            boot_id=self.clock.boot_id(),
            source=TimeSource.SYNCED if self.synced else TimeSource.UNSYNCED,
        )
