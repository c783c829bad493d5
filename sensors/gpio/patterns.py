"""What the status LED shows, kept apart from gpiozero so the agent loads it only with GPIO."""

from enum import StrEnum


class LedPattern(StrEnum):
    STARTING = "starting"  # fast flicker
    ONLINE = "online"  # steady on
    OFFLINE = "offline"  # slow blink: buffering readings
    SENSOR_FAULT = "sensor_fault"  # a short flash every 2 s
    IDENTIFY = "identify"  # very fast, for a technician looking for this station


def pattern_for(sensor_state: str, online: bool) -> LedPattern:
    """What the LED shows: a sensor fault first, then whether readings reach the server."""
    if sensor_state in ("fault", "stuck"):
        return LedPattern.SENSOR_FAULT
    if sensor_state == "starting":
        return LedPattern.STARTING
    return LedPattern.ONLINE if online else LedPattern.OFFLINE


# (on seconds, off seconds); None = steady on.
BLINK: dict[LedPattern, tuple[float, float] | None] = {
    LedPattern.STARTING: (0.1, 0.1),
    LedPattern.ONLINE: None,
    LedPattern.OFFLINE: (1.0, 1.0),
    LedPattern.SENSOR_FAULT: (0.2, 1.8),
    LedPattern.IDENTIFY: (0.05, 0.05),
}
