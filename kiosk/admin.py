"""The only way out of the kiosk by touch: a hidden gesture, then the technician's PIN.

Holding a finger still on the top left corner for five seconds opens a small PIN pad — a
child tapping about never does that. The pad does not hide the level, has a cancel button
and closes itself after ten seconds without a key. Five wrong PINs lock it for five
minutes, so a curious passer-by cannot try them all. Without a configured PIN there is no
way out at all; the unit is then stopped with systemctl.
"""

import hmac
from dataclasses import dataclass
from enum import StrEnum

HOLD_S = 5.0  # the long press on the corner
MAX_WRONG = 5
LOCKOUT_S = 300.0
PAD_TIMEOUT_S = 10.0  # without a key press
ADMIN_EXIT_STATUS = 3  # the unit's RestartPreventExitStatus: an admin exit stays stopped


class PinResult(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


@dataclass
class AdminGate:
    pin: str  # empty: disabled
    pressed_at: float | None = None
    wrong: int = 0
    locked_until: float = 0.0
    opened_at: float | None = None

    def press(self, now_s: float) -> None:
        """A finger down on the corner."""
        self.pressed_at = now_s

    def release(self, now_s: float, still_inside: bool = True) -> bool:
        """The finger lifted; True when it was a long press that opens the PIN pad."""
        started, self.pressed_at = self.pressed_at, None
        if not self.pin or now_s < self.locked_until or started is None or not still_inside:
            return False
        if now_s - started < HOLD_S:
            return False
        self.opened_at = now_s
        return True

    def key(self, now_s: float) -> None:
        """A key on the pad: it stays open another PAD_TIMEOUT_S."""
        if self.opened_at is not None:
            self.opened_at = now_s

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
