"""What the station's state means for the screen right now: the one priority decision.

Priority, highest first: disaster mode (避難所開設情報, kiosk.disaster: the whole screen),
a heat alert for the area (a banner above the rest), the danger takeover, the home screen.
A reading is shown only while it is fresh: a silent agent or an old reading is called
stale, never shown as if it were current.
"""

from dataclasses import dataclass, replace
from enum import StrEnum

from contract.content import AlertKind
from contract.levels import Level, level_for
from contract.messages import Quality
from kiosk.disaster import active_emergencies
from kiosk.logonce import warn_once
from localstate import AlertView, EmergencyView, Snapshot


class Condition(StrEnum):
    NO_READING = "no_reading"  # agent not started, or nothing measured yet
    FAULT = "fault"  # the sensor cannot be read
    STALE = "stale"  # the agent has gone silent, or its reading is old
    READING = "reading"  # a fresh value


@dataclass(frozen=True, slots=True)
class Situation:
    condition: Condition
    level: Level | None = None
    wbgt: float | None = None
    temp_c: float | None = None
    rh: float | None = None
    reading_ts: int | None = None
    age_s: float | None = None  # of the reading, when there is one
    offline: bool = False
    alert: AlertView | None = None
    emergencies: tuple[EmergencyView, ...] = ()  # disaster mode in force: above everything

    @property
    def takeover(self) -> bool:
        """危険 takes the whole screen, but only on a fresh reading."""
        return self.condition is Condition.READING and self.level is Level.DANGER


def level_of(name: str | None, wbgt: float | None) -> Level | None:
    """The level the agent wrote; an unknown name is recomputed from the value."""
    if name is not None:
        try:
            return Level(name)
        except ValueError:
            warn_once("unknown level %r in local state; using the WBGT value", name)
    return level_for(wbgt) if wbgt is not None else None


def active_alert(alert: AlertView | None, now_ms: int) -> AlertView | None:
    if alert is None or (alert.expires_at is not None and now_ms >= alert.expires_at):
        return None
    if alert.alert not in (AlertKind.HEATSTROKE_ALERT, AlertKind.SPECIAL_HEATSTROKE_ALERT):
        if alert.alert != AlertKind.NONE:
            warn_once("unknown heat alert %r in local state; not shown", alert.alert)
        return None
    return alert


def assess(snapshot: Snapshot | None, now_ms: int) -> Situation:
    """The situation a passer-by should see; ``None`` means there is no local state yet."""
    if snapshot is None:
        return Situation(Condition.NO_READING, offline=True)
    return replace(
        _assess(snapshot, now_ms), emergencies=active_emergencies(snapshot.emergencies, now_ms)
    )


def _assess(snapshot: Snapshot, now_ms: int) -> Situation:
    offline = snapshot.network != "online"
    alert = active_alert(snapshot.alert, now_ms)
    stale_ms = max(snapshot.display.stale_after_s, 1) * 1000
    latest = snapshot.latest
    if latest is None:
        condition = Condition.FAULT if snapshot.sensor == "fault" else Condition.NO_READING
        return Situation(condition, offline=offline, alert=alert)
    age_s = max(0.0, (now_ms - latest.ts) / 1000)
    heartbeat = snapshot.agent_heartbeat_at
    silent = heartbeat is None or now_ms - heartbeat > stale_ms
    reading = Situation(
        Condition.READING,
        level=level_of(latest.level, latest.wbgt),
        wbgt=latest.wbgt,
        temp_c=latest.temp_c,
        rh=latest.rh,
        reading_ts=latest.ts,
        age_s=age_s,
        offline=offline,
        alert=alert,
    )
    if silent:
        return replace(reading, condition=Condition.STALE)
    if snapshot.sensor == "fault" or latest.quality == Quality.FAULT or latest.wbgt is None:
        return Situation(Condition.FAULT, offline=offline, alert=alert)
    if age_s * 1000 > stale_ms:
        return replace(reading, condition=Condition.STALE)
    return reading
