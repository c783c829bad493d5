"""When to power-cycle a sensor that stopped answering. Pure logic."""


class PowerCyclePolicy:
    """When to cycle: after ``after_failures`` failed readings in a row, then with a back-off
    that doubles up to ``max_backoff_s`` while the sensor stays dead."""

    def __init__(
        self, after_failures: int = 5, backoff_s: float = 60.0, max_backoff_s: float = 3600.0
    ) -> None:
        self.after_failures = after_failures
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.cycles = 0
        self._next_allowed = 0.0
        self._current_backoff = backoff_s

    def due(self, consecutive_failures: int, now_s: float) -> bool:
        return consecutive_failures >= self.after_failures and now_s >= self._next_allowed

    def cycled(self, now_s: float) -> None:
        self.cycles += 1
        self._next_allowed = now_s + self._current_backoff
        self._current_backoff = min(self._current_backoff * 2, self.max_backoff_s)

    def recovered(self) -> None:
        self._next_allowed = 0.0
        self._current_backoff = self.backoff_s
