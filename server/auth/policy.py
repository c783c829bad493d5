"""How long a console session lives and when failed sign-ins lock an account: pure rules."""

from dataclasses import dataclass

from server.settings import ServerSettings


@dataclass(frozen=True, slots=True)
class SignInPolicy:
    session_hours: float = 12.0
    lockout_after: int = 5  # failures in a row before the first lock
    lockout_s: int = 60  # the first lock; each further failure doubles it
    lockout_max_s: int = 3600
    client_failures: int = 30  # failures from one address per window, over all accounts
    client_window_s: int = 900

    @classmethod
    def from_settings(cls, settings: ServerSettings) -> "SignInPolicy":
        return cls(
            session_hours=settings.console_session_hours,
            lockout_after=settings.console_lockout_after,
            lockout_s=settings.console_lockout_s,
            lockout_max_s=settings.console_lockout_max_s,
            client_failures=settings.console_client_failures,
            client_window_s=settings.console_client_window_s,
        )

    @property
    def session_ms(self) -> int:
        return round(self.session_hours * 3_600_000)

    def lock_ms(self, failures: int) -> int | None:
        """How long to lock an account after its ``failures``-th failure in a row, or None."""
        if failures < self.lockout_after:
            return None
        doublings = min(failures - self.lockout_after, 30)
        return int(min(self.lockout_s * 2**doublings, self.lockout_max_s)) * 1000


def retry_after_s(until_ms: int, now_ms: int) -> int:
    """Whole seconds to wait, at least 1 (the value of a ``Retry-After`` header)."""
    return max(1, -(-(until_ms - now_ms) // 1000))
