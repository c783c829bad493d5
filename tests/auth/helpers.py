"""Small helpers for the sign-in tests."""

from dataclasses import dataclass

PASSWORD = "correct horse battery"
T0 = 1_780_000_000_000  # 2026-05-28, in UTC epoch ms


@dataclass
class FakeClock:
    """UTC epoch ms that moves only when a test says so."""

    now: int = T0

    def __call__(self) -> int:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += round(seconds * 1000)
