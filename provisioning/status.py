"""One line about a station, as the fleet view sees it: what a technician checks on site."""

from typing import Any


def describe(station_id: str, found: dict[str, Any] | None) -> tuple[str, bool]:
    """The line to print, and whether the station is reporting (online with a reading)."""
    if found is None:
        return f"{station_id}: 未登録 / not enrolled", False
    if found.get("state") == "retired":
        return f"{station_id}: 廃止済み / retired", False
    if not found.get("online"):
        seen = found.get("last_seen") or "never"
        return f"{station_id}: オフライン / offline (last seen {seen})", False
    if found.get("held_back"):
        return f"{station_id}: online, {found.get('held_back_reason')}", False
    latest = found.get("latest")
    if latest is None:
        return f"{station_id}: online, 測定値なし / no reading yet", False
    return (
        f"{station_id}: オンライン / online, {latest['time']}"
        f" WBGT {latest['wbgt']} °C ({latest['level']})",
        True,
    )
