"""One reading per interval from a DHT: retries, plausibility, rate limits, a median, stuck
detection and classified error counts.

A failed reading is "no value" and a counted error, never the previous value.
"""

import logging
import statistics
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass

from sensors.dht.device import DhtDevice
from sensors.reader import ReadError, ReadResult, read_once

log = logging.getLogger("kyusui.agent.sensor")


@dataclass(frozen=True)
class SamplingRules:
    attempts: int = 3  # reads per reading before it counts as failed
    min_gap_s: float = 2.0  # a DHT22 measures at most every 2 s
    max_temp_step_c: float = 2.0  # plus max_temp_rate_c_per_min × minutes since the last good
    max_temp_rate_c_per_min: float = 1.0
    max_rh_step: float = 8.0
    max_rh_rate_per_min: float = 5.0
    rate_check_within_s: float = 900.0  # older good values say nothing about the next one
    rate_rejects_before_accepting: int = 3  # a real, lasting step change is accepted after this
    median_of: int = 3
    median_window_s: float = 300.0
    stuck_after_s: float = 1800.0


class Sampler:
    """Owns the sensor device: ``reopen()`` releases and opens it again (after a power cycle)."""

    def __init__(
        self,
        open_device: Callable[[], DhtDevice],
        rules: SamplingRules | None = None,
        wait: Callable[[float], object] = time.sleep,
        now_s: Callable[[], float] = time.monotonic,
    ) -> None:
        self.open_device = open_device
        self.device = open_device()
        self.rules = rules or SamplingRules()
        self.wait = wait
        self.now_s = now_s
        self.errors: Counter[str] = Counter()
        self.consecutive_failures = 0
        self.state = "starting"  # 'ok' | 'fault' | 'stuck' | 'starting'
        self.detail = ""
        self._last_read_at: float | None = None
        self._good: deque[tuple[float, float, float]] = deque(maxlen=self.rules.median_of)
        self._last_accepted: tuple[float, float, float] | None = None
        self._rate_rejects = 0
        self._same_raw: tuple[float, float] | None = None
        self._same_since = 0.0

    def _read(self) -> ReadResult:
        if self._last_read_at is not None:
            gap = self.rules.min_gap_s - (self.now_s() - self._last_read_at)
            if gap > 0:
                self.wait(gap)
        try:
            return read_once(self.device)
        finally:
            self._last_read_at = self.now_s()

    def _too_fast(self, now: float, temp: float, rh: float) -> bool:
        last = self._last_accepted
        if last is None or now - last[0] > self.rules.rate_check_within_s:
            return False
        minutes = (now - last[0]) / 60
        r = self.rules
        temp_limit = r.max_temp_step_c + r.max_temp_rate_c_per_min * minutes
        rh_limit = r.max_rh_step + r.max_rh_rate_per_min * minutes
        if abs(temp - last[1]) <= temp_limit and abs(rh - last[2]) <= rh_limit:
            self._rate_rejects = 0
            return False
        self._rate_rejects += 1
        if self._rate_rejects >= r.rate_rejects_before_accepting:
            log.warning("accepting a lasting step change to %.1f °C %.1f %%", temp, rh)
            self._good.clear()
            self._rate_rejects = 0
            return False
        return True

    def _stuck(self, now: float, temp: float, rh: float) -> bool:
        if self._same_raw != (temp, rh):
            self._same_raw, self._same_since = (temp, rh), now
            return False
        return now - self._same_since >= self.rules.stuck_after_s

    def _check(self, result: ReadResult) -> ReadResult:
        if result.temp_c is None or result.rh is None:
            return result
        now = self.now_s()
        if self._stuck(now, result.temp_c, result.rh):
            return ReadResult(error=ReadError.STUCK)
        if self._too_fast(now, result.temp_c, result.rh):
            return ReadResult(error=ReadError.IMPLAUSIBLE)
        return result

    def _median(self, now: float) -> ReadResult:
        while self._good and now - self._good[0][0] > self.rules.median_window_s:
            self._good.popleft()
        temps = [g[1] for g in self._good]
        rhs = [g[2] for g in self._good]
        return ReadResult(
            temp_c=round(statistics.median(temps), 2), rh=round(statistics.median(rhs), 2)
        )

    def sample(self) -> ReadResult:
        """Read until one read passes every check or the attempts run out."""
        last_error = ReadError.OTHER
        for _ in range(self.rules.attempts):
            result = self._check(self._read())
            if result.ok and result.temp_c is not None and result.rh is not None:
                now = self.now_s()
                self._last_accepted = (now, result.temp_c, result.rh)
                self._good.append(self._last_accepted)
                self.consecutive_failures = 0
                self.state, self.detail = "ok", ""
                return self._median(now)
            assert result.error is not None
            last_error = result.error
            self.errors[last_error.value] += 1
            if last_error is ReadError.STUCK:
                break  # reading again within seconds cannot unstick it
        self.consecutive_failures += 1
        self.state = "stuck" if last_error is ReadError.STUCK else "fault"
        self.detail = last_error.value
        return ReadResult(error=last_error)

    def reopen(self) -> None:
        """Release the device and open it again; history of good values is kept."""
        self.close()
        self.device = self.open_device()
        self._same_raw = None
        self._last_read_at = None

    def close(self) -> None:
        try:
            self.device.exit()
        except Exception:  # releasing must never stop the agent
            log.exception("could not release the sensor")
