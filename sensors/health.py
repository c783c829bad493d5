"""What the station says about itself: the system half of the health message.

Each probe reads one Linux file and returns None when the file is not there (not a Pi,
no Wi-Fi), so health works everywhere and says only what it knows.
"""

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

THROTTLED_FILE = Path("/sys/devices/platform/soc/soc:firmware/get_throttled")
WIRELESS_FILE = Path("/proc/net/wireless")
MEMINFO_FILE = Path("/proc/meminfo")
UPTIME_FILE = Path("/proc/uptime")
# The file gpiozero's CPUTemperature reads; read directly so health needs no pin factory.
THERMAL_FILE = Path("/sys/class/thermal/thermal_zone0/temp")
UNDERVOLTAGE_NOW, THROTTLED_NOW = 0x1, 0x4


@dataclass(frozen=True, slots=True)
class SystemHealth:
    uptime_s: float
    cpu_temp_c: float | None = None
    load_1m: float | None = None
    mem_used_pct: float | None = None
    disk_used_pct: float | None = None
    disk_free_mb: float | None = None
    wifi_rssi_dbm: float | None = None
    undervoltage: bool | None = None
    throttled: bool | None = None


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


def parse_meminfo(text: str) -> float | None:
    values = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        parts = rest.split()
        if parts:
            values[name] = int(parts[0])
    total, available = values.get("MemTotal"), values.get("MemAvailable")
    if not total or available is None:
        return None
    return round(100 * (total - available) / total, 1)


def parse_wireless(text: str) -> float | None:
    """Signal level (dBm) of the first interface in /proc/net/wireless."""
    for line in text.splitlines()[2:]:
        parts = line.split()
        if len(parts) >= 4:
            level = float(parts[3].rstrip("."))
            return level if -120 <= level <= 0 else None
    return None


def parse_throttled(text: str) -> tuple[bool, bool] | None:
    """(under-voltage now, throttled now) from the firmware's get_throttled bits."""
    try:
        bits = int(text.strip(), 16)
    except ValueError:
        return None
    return bool(bits & UNDERVOLTAGE_NOW), bool(bits & THROTTLED_NOW)


class HealthProbe:
    def __init__(self, disk_path: Path) -> None:
        self.disk_path = disk_path

    def cpu_temp(self) -> float | None:
        text = _read(THERMAL_FILE)
        try:
            return round(int(text) / 1000, 1) if text else None
        except ValueError:
            return None

    def collect(self) -> SystemHealth:
        uptime_text = _read(UPTIME_FILE)
        uptime = float(uptime_text.split()[0]) if uptime_text else 0.0
        meminfo = _read(MEMINFO_FILE)
        wireless = _read(WIRELESS_FILE)
        throttled_text = _read(THROTTLED_FILE)
        throttled = parse_throttled(throttled_text) if throttled_text else None
        try:
            disk = shutil.disk_usage(self.disk_path)
            disk_used: float | None = round(100 * disk.used / disk.total, 1)
            disk_free: float | None = round(disk.free / 1e6, 1)
        except OSError:
            disk_used = disk_free = None
        return SystemHealth(
            uptime_s=uptime,
            cpu_temp_c=self.cpu_temp(),
            load_1m=round(os.getloadavg()[0], 2),
            mem_used_pct=parse_meminfo(meminfo) if meminfo else None,
            disk_used_pct=disk_used,
            disk_free_mb=disk_free,
            wifi_rssi_dbm=parse_wireless(wireless) if wireless else None,
            undervoltage=throttled[0] if throttled else None,
            throttled=throttled[1] if throttled else None,
        )
