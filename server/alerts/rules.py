"""Which conditions hold for a station, from what it just sent. No I/O."""

from dataclasses import dataclass
from enum import StrEnum

from contract.levels import Level
from contract.messages import Health, Quality, Reading


class StationAlertKind(StrEnum):
    HEAT = "heat"  # 危険 or 厳重警戒
    OFFLINE = "offline"
    SENSOR_FAULT = "sensor_fault"
    CLOCK_UNSYNCED = "clock_unsynced"
    DISK_LOW = "disk_low"
    OUTBOX_GROWING = "outbox_growing"
    OFFICIAL_BIAS = "official_bias"  # estimate consistently off the official observed value
    HELP = "help"  # a passer-by pressed 「具合の悪い人がいる」 on the kiosk (server.alerts.help)


# Each source decides only about its own kinds, so telemetry never clears a health alert.
READING_KINDS = frozenset({StationAlertKind.HEAT})
HEALTH_KINDS = frozenset(
    {
        StationAlertKind.SENSOR_FAULT,
        StationAlertKind.CLOCK_UNSYNCED,
        StationAlertKind.DISK_LOW,
        StationAlertKind.OUTBOX_GROWING,
    }
)
OFFLINE_KINDS = frozenset({StationAlertKind.OFFLINE})

TITLES_JA = {
    StationAlertKind.HEAT: "暑さ指数が高い",
    StationAlertKind.OFFLINE: "通信が途絶えています",
    StationAlertKind.SENSOR_FAULT: "センサーの故障",
    StationAlertKind.CLOCK_UNSYNCED: "時刻が同期されていません",
    StationAlertKind.DISK_LOW: "ディスクの空きが少ない",
    StationAlertKind.OUTBOX_GROWING: "未送信データが増えています",
    StationAlertKind.OFFICIAL_BIAS: "公式の暑さ指数と食い違っています",
    StationAlertKind.HELP: "具合の悪い人がいます（キオスクから）",
}


@dataclass(frozen=True, slots=True)
class Condition:
    kind: StationAlertKind
    severity: str  # "critical" | "warning"
    detail: str  # Japanese first, then English


@dataclass(frozen=True, slots=True)
class Thresholds:
    disk_free_mb: float = 200.0
    outbox_depth: int = 100
    help_every_s: int = 600  # at most one help alert per station in this time


def reading_conditions(reading: Reading) -> dict[StationAlertKind, Condition] | None:
    """Heat conditions of the newest reading; None when a fault reading tells nothing."""
    if reading.quality is Quality.FAULT or reading.level is None:
        return None
    if reading.level in (Level.DANGER, Level.SEVERE_WARNING):
        info = reading.level.info
        severity = "critical" if reading.level is Level.DANGER else "warning"
        detail = f"{info.name_ja}（WBGT {reading.wbgt:.1f}℃） / {info.name_en}"
        return {StationAlertKind.HEAT: Condition(StationAlertKind.HEAT, severity, detail)}
    return {}


def health_conditions(health: Health, limits: Thresholds) -> dict[StationAlertKind, Condition]:
    found: dict[StationAlertKind, Condition] = {}
    if health.sensor_state != "ok":
        found[StationAlertKind.SENSOR_FAULT] = Condition(
            StationAlertKind.SENSOR_FAULT,
            "warning",
            f"センサーの状態: {health.sensor_state} / sensor state: {health.sensor_state}",
        )
    if not health.clock_synced:
        found[StationAlertKind.CLOCK_UNSYNCED] = Condition(
            StationAlertKind.CLOCK_UNSYNCED,
            "warning",
            "時刻が同期されていません / clock not synchronised",
        )
    if health.disk_free_mb is not None and health.disk_free_mb < limits.disk_free_mb:
        found[StationAlertKind.DISK_LOW] = Condition(
            StationAlertKind.DISK_LOW,
            "warning",
            f"空き {health.disk_free_mb:.0f} MB / {health.disk_free_mb:.0f} MB free",
        )
    if health.outbox_depth >= limits.outbox_depth:
        found[StationAlertKind.OUTBOX_GROWING] = Condition(
            StationAlertKind.OUTBOX_GROWING,
            "warning",
            f"未送信 {health.outbox_depth} 件 / {health.outbox_depth} unsent messages",
        )
    return found


def offline_condition(
    last_seen_ms: int | None, now_ms: int, after_s: int
) -> dict[StationAlertKind, Condition]:
    if last_seen_ms is None or now_ms - last_seen_ms <= after_s * 1000:
        return {}
    minutes = (now_ms - last_seen_ms) // 60_000
    return {
        StationAlertKind.OFFLINE: Condition(
            StationAlertKind.OFFLINE,
            "critical",
            f"{minutes} 分間応答なし / no message for {minutes} min",
        )
    }
