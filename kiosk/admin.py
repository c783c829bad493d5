"""The only way out of the kiosk by touch: a hidden gesture, then the technician's PIN.

Five quick taps on the station name open a PIN pad. Five wrong PINs lock it for five
minutes, so a curious passer-by cannot try them all. Without a configured PIN there is no
way out at all; the unit is then stopped with systemctl.
"""

import hmac
from dataclasses import dataclass, field
from enum import StrEnum

TAPS_TO_OPEN = 5
TAP_WINDOW_S = 4.0
MAX_WRONG = 5
LOCKOUT_S = 300.0
PAD_TIMEOUT_S = 30.0
ADMIN_EXIT_STATUS = 3  # the unit's RestartPreventExitStatus: an admin exit stays stopped


class PinResult(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


@dataclass
class AdminGate:
    pin: str  # empty: disabled
    taps: list[float] = field(default_factory=list)
    wrong: int = 0
    locked_until: float = 0.0
    opened_at: float | None = None

    def tap(self, now_s: float) -> bool:
        """A tap on the station name; True when this tap opens the PIN pad."""
        if not self.pin or now_s < self.locked_until:
            return False
        self.taps = [t for t in self.taps if now_s - t < TAP_WINDOW_S] + [now_s]
        if len(self.taps) >= TAPS_TO_OPEN:
            self.taps = []
            self.opened_at = now_s
            return True
        return False

    def is_open(self, now_s: float) -> bool:
        if self.opened_at is not None and now_s - self.opened_at >= PAD_TIMEOUT_S:
            self.opened_at = None  # nobody finished: close it again
        return self.opened_at is not None

    def close(self) -> None:
        self.opened_at = None

    def try_pin(self, entered: str, now_s: float) -> PinResult:
        if not self.pin or now_s < self.locked_until:
            self.close()
            return PinResult.LOCKED
        if hmac.compare_digest(entered.encode(), self.pin.encode()):
            self.wrong = 0
            self.close()
            return PinResult.OK
        self.wrong += 1
        if self.wrong >= MAX_WRONG:
            self.wrong = 0
            self.locked_until = now_s + LOCKOUT_S
            self.close()
            return PinResult.LOCKED
        return PinResult.WRONG
