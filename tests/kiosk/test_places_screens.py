"""The places and help screens on the real kiosk window: the nearest open places with
distance and direction, offered unasked from 警戒 up, and the call for help that is
recorded for the agent to send — never presented as a call to 119."""

from datetime import datetime
from pathlib import Path
from typing import Any

from contract.jst import JST
from devnet.places import NAKA_PLACES, STATION_SITES
from localstate import open_local_state
from tests.kiosk.conftest import run_driver
from tests.kiosk.screens import close_to, pixel
from tests.kiosk.statefile import STATION

SITE = list(STATION_SITES["yokohama-naka-01"])  # 中区役所前
PLACES = {"area-naka": [p.model_dump(mode="json", exclude_none=True) for p in NAKA_PLACES]}


def base(wbgt: float, **extra: Any) -> dict[str, Any]:
    return {
        "station": list(STATION),
        "reading": {"wbgt": wbgt},
        "agent": {"sensor": "ok", "network": "online"},
        "display": {"on_start": "00:00", "on_end": "00:00", "stale_after_s": 600},
        "site": SITE,
        "places": PLACES,
        "notices": [],
        "alert": None,
    } | extra


def seconds_until(iso_jst: str) -> float:
    """How far to move the kiosk's clock so that it reads ``iso_jst``."""
    target = datetime.fromisoformat(iso_jst).replace(tzinfo=JST).timestamp()
    return target - datetime.now(JST).timestamp()


def interactions(state_dir: Path) -> list[tuple[str, str]]:
    state = open_local_state(state_dir, create=False).state
    try:
        return [(i.kind, i.detail) for _, i in state.unpublished_interactions()]
    finally:
        state.close()


def test_places_are_offered_at_warning_and_listed_nearest_open_first(
    xvfb_display: str, tmp_path: Path
) -> None:
    tuesday_noon = seconds_until("2026-08-11T12:00")
    steps: list[dict[str, Any]] = [
        {"op": "advance", "s": tuesday_noon},
        {"op": "state", "spec": base(22.0)},  # 注意: not offered
        {"op": "shot", "name": "caution"},
        {"op": "state", "spec": base(26.5)},  # 警戒
        {"op": "shot", "name": "warning-offered"},
        {"op": "touch", "target": "water_line"},
        {"op": "shot", "name": "places"},
        {"op": "touch", "target": "lang:en"},
        {"op": "shot", "name": "places-en"},
        {"op": "touch", "target": "places_close"},
        {"op": "state", "spec": base(32.0)},  # 危険: the takeover names the nearest too
        {"op": "shot", "name": "danger-offered"},
        {"op": "large_text"},
        {"op": "touch", "target": "lang:ja"},
        {"op": "state", "spec": base(26.5)},
        {"op": "shot", "name": "large-text"},
    ]
    shots = run_driver(xvfb_display, tmp_path, "places", steps, burn_in_shift_px=0)["shots"]

    assert not shots["caution"]["places"]["offer"]
    assert shots["caution"]["places"]["strip"] == ""
    # Not offered, still one touch away: the water line says so.
    assert shots["caution"]["labels"]["water_text"]["text"].endswith("›近くの涼める場所")
    offered = shots["warning-offered"]
    assert offered["places"]["offer"]
    # The nearest open place is on the home screen, unasked: the ward office it stands at.
    assert offered["places"]["strip"] == "涼める場所：中区役所（クーリングシェルター） すぐそば"
    assert offered["labels"]["water_text"]["shown"]
    # The line turns the places colour.
    x, y, _, h = offered["rects"]["water_line"]
    assert close_to(pixel(offered, x + 4, y + h / 2), (0, 115, 153))

    listed = shots["places"]
    assert listed["panel"] == "places"
    lines = listed["places"]["lines"]
    # The ward office the station stands at (0 m) comes first.
    assert [line["name"] for line in lines] == [
        "中区役所",
        "関内駅前 給水スポット",
        "山下公園 まちの縁側",
        "山下公園 まちの給水所",
    ]
    assert all(line["is_open"] for line in lines)
    assert lines[0]["kind"] == "クーリングシェルター"
    assert lines[1]["where"] == "← 西へ 480 m・徒歩6分"
    assert listed["labels"]["places_note"]["text"] == "距離は直線距離です。"
    english = shots["places-en"]["places"]["lines"]
    assert english[1]["where"] == "← 480 m west · 6 min walk"
    assert english[0]["state"] == "Open now"

    danger = shots["danger-offered"]
    assert danger["view"]["takeover"]
    assert danger["help"]["button_label"] == "Someone is unwell"
    x, y, _, h = danger["rects"]["tk_help_button"]
    assert close_to(pixel(danger, x + 4, y + h / 2), (255, 255, 255))  # white on the red
    assert danger["labels"]["tk_nearby"]["shown"]
    assert "Naka Ward Office" in danger["labels"]["tk_nearby"]["text"]  # still English

    # 大きな文字: the help button's words stay whole on one line.
    button = shots["large-text"]["labels"]["help_button"]
    assert button["text"] == "具合の悪い人がいる"
    assert button["texture"][1] <= button["size"][1]


def test_at_night_closed_places_follow_open_ones_and_a_special_alert_opens_shelters(
    xvfb_display: str, tmp_path: Path
) -> None:
    sunday_night = seconds_until("2026-08-16T23:30")
    special = {
        "alert": "special_heatstroke_alert",
        "forecast_wbgt": 35,
        "message": {"ja": "熱中症特別警戒アラートが発表されています。"},
    }
    steps: list[dict[str, Any]] = [
        {"op": "advance", "s": sunday_night},
        {"op": "state", "spec": base(22.0)},
        {"op": "touch", "target": "water_line"},
        {"op": "shot", "name": "night"},
        {"op": "touch", "target": "places_close"},
        {"op": "state", "spec": base(22.0, alert=special)},
        {"op": "shot", "name": "special-alert-home"},
        {"op": "touch", "target": "water_line"},
        {"op": "shot", "name": "special-alert"},
    ]
    shots = run_driver(xvfb_display, tmp_path, "places-night", steps, burn_in_shift_px=0)["shots"]
    night = shots["night"]["places"]["lines"]
    assert [line["is_open"] for line in night] == [True, True, False, False]
    assert {line["name"] for line in night[:2]} == {"山下公園 まちの縁側", "山下公園 まちの給水所"}
    # Then the closed ones, nearest first: the ward office (0 m), the water point (480 m).
    assert [line["name"] for line in night[2:]] == ["中区役所", "関内駅前 給水スポット"]
    assert night[2]["state"] == "閉まっています"

    home = shots["special-alert-home"]
    assert home["places"]["offer"]  # a heat alert offers places at any level
    assert home["labels"]["water_text"]["shown"]  # the strip stays under the alert
    opened = shots["special-alert"]["places"]["lines"]
    assert opened[0]["name"] == "中区役所"
    assert opened[0]["is_open"]


def test_the_help_screen_gives_first_aid_the_address_and_records_one_call_for_staff(
    xvfb_display: str, tmp_path: Path
) -> None:
    tuesday_noon = seconds_until("2026-08-11T12:00")
    steps: list[dict[str, Any]] = [
        {"op": "advance", "s": tuesday_noon},
        {"op": "state", "spec": base(29.0)},
        {"op": "touch", "target": "help_button"},
        {"op": "shot", "name": "help"},
        {"op": "touch", "target": "help_confirm"},
        {"op": "shot", "name": "help-sent"},
        {"op": "touch", "target": "help_confirm"},  # gone once sent: nothing more
        {"op": "touch", "target": "help_close"},
        {"op": "touch", "target": "lang:vi"},
        {"op": "touch", "target": "help_button"},
        {"op": "shot", "name": "help-vi"},
        {"op": "touch", "target": "help_close"},
        {"op": "touch", "target": "lang:ja"},
        {"op": "touch", "target": "help_button"},
        {"op": "advance", "s": 120},  # nobody touches: back to the home screen
        {"op": "shot", "name": "after-idle"},
    ]
    result = run_driver(xvfb_display, tmp_path, "help", steps, burn_in_shift_px=0)
    shots = result["shots"]
    help_screen = shots["help"]
    assert help_screen["panel"] == "help"
    labels = help_screen["labels"]
    assert "涼しい場所" in labels["help_step_0"]["text"]
    assert "首・わきの下・足の付け根" in labels["help_step_1"]["text"].replace("\n", "")
    assert "水分と塩分" in labels["help_step_2"]["text"].replace("\n", "")
    assert "119番" in labels["help_step_3"]["text"].replace("\n", "")
    assert labels["help_address"]["text"].replace("\n", "") == SITE[2]
    assert "119番通報ではありません" in labels["help_not_119"]["text"].replace("\n", "")
    assert [p["name"] for p in help_screen["help"]["places"]] == [
        "中区役所",
        "関内駅前 給水スポット",
    ]
    for name in ("help_step_3", "help_address", "help_not_119"):
        assert labels[name]["shown"], name
        assert labels[name]["rendered"] == labels[name]["chars"], name  # nothing cut

    sent = shots["help-sent"]["help"]["sent"]
    assert sent == "区の担当者に知らせました。119番通報はしていません。"
    vi = shots["help-vi"]["labels"]
    assert "119" in vi["help_step_3"]["text"]
    assert "không phải là gọi 119" in vi["help_not_119"]["text"].replace("\n", " ")
    assert shots["after-idle"]["panel"] == ""

    touches = interactions(Path(result["state_dir"]))
    assert touches.count(("help", "ja")) == 1  # one confirmation, one call for staff
    assert ("first_aid", "open") in touches
