"""The wall clock, the monotonic clock and "is the wall clock synchronised?", behind one interface.

A Raspberry Pi has no real-time clock: until NTP has set it, the wall time is whatever
fake-hwclock restored (often days old). The agent stamps every reading with both clocks so a
reading taken before synchronisation can be re-dated once the wall clock is right.
"""

import ctypes
import ctypes.util
import time
from functools import cache
from pathlib import Path
from typing import Protocol

BOOT_ID_FILE = Path("/proc/sys/kernel/random/boot_id")
TIME_ERROR = 5  # adjtimex(2): the kernel clock is not synchronised


class Clock(Protocol):
    def wall_ms(self) -> int: ...

    def monotonic_ms(self) -> int:
        """Milliseconds since boot, including suspend; never jumps."""
        ...

    def synced(self) -> bool: ...

    def boot_id(self) -> str:
        """Changes at every boot: monotonic times compare only within one boot."""
        ...


@cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def kernel_clock_synced() -> bool:
    """What ``timedatectl`` reports as "System clock synchronized": adjtimex(2) != TIME_ERROR.

    systemd-timesyncd keeps this flag right; chrony does so only with ``rtcsync``.
    """
    timex = ctypes.create_string_buffer(256)  # struct timex, modes = 0: read only
    state = int(_libc().adjtimex(timex))
    return state not in (-1, TIME_ERROR)


class SystemClock:
    """The real clocks. ``trust_wall_clock`` skips the kernel check (machines whose clock is kept
    by a host, such as a development container)."""

    def __init__(self, trust_wall_clock: bool = False) -> None:
        self.trust_wall_clock = trust_wall_clock
        try:
            self._boot_id = BOOT_ID_FILE.read_text().strip()
        except OSError:
            self._boot_id = "unknown"

    def wall_ms(self) -> int:
        return time.time_ns() // 1_000_000

    def monotonic_ms(self) -> int:
        return time.clock_gettime_ns(time.CLOCK_BOOTTIME) // 1_000_000

    def synced(self) -> bool:
        return self.trust_wall_clock or kernel_clock_synced()

    def boot_id(self) -> str:
        return self._boot_id


class FakeClock:
    """Real monotonic time with a wall clock the test sets: ``offset_ms`` moves it (a jump),
    ``is_synced`` says what the sync check answers."""

    def __init__(self, offset_ms: int = 0, is_synced: bool = True, boot: str = "boot-1") -> None:
        self.offset_ms = offset_ms
        self.is_synced = is_synced
        self.boot = boot

    def wall_ms(self) -> int:
        return time.time_ns() // 1_000_000 + self.offset_ms

    def monotonic_ms(self) -> int:
        return time.clock_gettime_ns(time.CLOCK_BOOTTIME) // 1_000_000

    def synced(self) -> bool:
        return self.is_synced

    def boot_id(self) -> str:
        return self.boot

    def jump(self, by_ms: int) -> None:
        self.offset_ms += by_ms
