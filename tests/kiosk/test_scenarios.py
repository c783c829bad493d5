"""What a passer-by meets on the 1280×800 screen, in one kiosk process, step by step.

Touches are real input events through Kivy's event loop; each step's screenshot is under
artifacts/kiosk/scenarios/ and what the kiosk wrote back is read from the local state.
"""

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from contract.content import ALERT_COLOURS
from contract.levels import Level
from kiosk.textfit import LINE_HEIGHT, fitting_size, snap_size
from kiosk.viewmodel import STATE_BAND
from localstate.db import FILE_NAME
from tests.kiosk.conftest import ALWAYS_ON, run_driver
from tests.kiosk.screens import close_to, hex_rgb, image, inside_left_edge, ocr, pixel, similarity
from tests.kiosk.statefile import BEFORE_CORRUPTION, STATION

MARKUP_TITLE = "[b]Bold[/b] [color=ff0000]red[/color] <script>alert(1)</script>"
NOTICES = [
    {
        "id": "opening-hours",
        "title": {"ja": "給水所は9時から18時まで", "en": "Open 9:00 to 18:00"},
        "body": {"ja": "冷たい水をどうぞ。", "en": "Cold water for everyone."},
    },
    {"id": "markup", "priority": "high", "title": {"ja": MARKUP_TITLE}, "body": {"ja": "<b>x</b>"}},
    {"id": "later", "title": {"ja": "明日の催し"}, "starts_in_s": 3600},
]
URGENT = {"id": "water-cut", "priority": "urgent", "title": {"ja": "断水のお知らせ"}}


def steps() -> list[dict[str, Any]]:
    base = {
        "station": list(STATION),
        "display": ALWAYS_ON,
        "agent": {"sensor": "ok", "network": "online"},
    }
    return [
        {"op": "shot", "name": "no-state-file"},
        {"op": "state", "spec": {**base, "reading": None}},
        {"op": "shot", "name": "no-reading"},
        {
            "op": "state",
            "spec": {
                "reading": {"wbgt": 26.4},
                "notices": NOTICES,
                "history": [20, 21, 23, 25, 27, 29, 30, 31, 29, 27, 25, 24],
            },
        },
        {"op": "shot", "name": "home-markup-notice"},
        {"op": "advance", "s": 3},
        {"op": "touch", "target": "notice"},
        {"op": "shot", "name": "notice-tapped"},
        {"op": "advance", "s": 2},
        {"op": "touch", "target": "notice", "swipe_px": 300},
        {"op": "shot", "name": "notice-swiped-back"},
        {"op": "touch", "target": "lang:ko"},
        {"op": "shot", "name": "korean"},
        {"op": "advance", "s": 31},
        {"op": "shot", "name": "idle-back-to-japanese"},
        {"op": "state", "spec": {"reading": {"wbgt": None}, "agent": {"sensor": "fault"}}},
        {"op": "shot", "name": "sensor-fault"},
        {
            "op": "state",
            "spec": {"reading": {"wbgt": 23.0}, "agent": {"sensor": "ok", "network": "offline"}},
        },
        {"op": "shot", "name": "offline"},
        {"op": "advance", "s": 700},
        {"op": "shot", "name": "stale"},
        {"op": "advance", "s": -736},  # the agent is back: time as the agent writes it
        {"op": "state", "spec": {"reading": {"wbgt": 32.6}, "agent": {"network": "online"}}},
        {"op": "shot", "name": "danger-takeover"},
        {
            "op": "state",
            "spec": {"alert": {"alert": "special_heatstroke_alert", "forecast_wbgt": 35.4}},
        },
        {"op": "shot", "name": "danger-and-alert"},
        {
            "op": "state",
            "spec": {
                "reading": {"wbgt": 27.0, "level": "scorching"},
                "alert": None,
                "notices": [*NOTICES, URGENT],
            },
        },
        {"op": "shot", "name": "urgent-notice-unknown-level"},
        {"op": "corrupt_state"},
        {"op": "shot", "name": "corrupt-state-file"},
        {"op": "state", "spec": {**base, "reading": {"wbgt": 24.0}}},
        {"op": "shot", "name": "state-file-rebuilt"},
        {"op": "request_screenshot", "id": "req/1 ../x"},
        {"op": "advance", "s": 3},
        {"op": "advance", "s": 1},
        {"op": "large_text"},
        {"op": "shot", "name": "large-text"},
        {"op": "state", "spec": {"notices": NOTICES[:1]}},
        {"op": "shot", "name": "large-text-notice"},
        {"op": "large_text"},
        {"op": "shot", "name": "normal-text-notice"},
        {"op": "touch", "target": "admin_corner", "times": 12},  # a child tapping away
        {"op": "touch", "target": "station", "times": 5},  # the old gesture
        {"op": "shot", "name": "taps"},
        {"op": "touch", "target": "admin_corner", "hold_s": 6},
        {"op": "shot", "name": "pin-pad"},
        {"op": "advance", "s": 11},
        {"op": "shot", "name": "pin-pad-timed-out"},
        {"op": "touch", "target": "admin_corner", "hold_s": 6},
        {"op": "touch", "target": "pin_cancel"},
        {"op": "shot", "name": "pin-pad-cancelled"},
        {"op": "touch", "target": "admin_corner", "hold_s": 6},
        *[{"op": "touch", "target": f"pin:{k}"} for k in ("1", "2", "3", "4", "OK")],
        {"op": "shot", "name": "wrong-pin"},
        *[{"op": "touch", "target": f"pin:{k}"} for k in ("2", "6", "0", "8", "OK")],
        {"op": "shot", "name": "never-reached"},
    ]


@pytest.fixture(scope="module")
def run(xvfb_display: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = Path(tmp_path_factory.mktemp("scenarios"))
    return run_driver(
        xvfb_display, tmp, "scenarios", steps(),
        width=1280, height=800, idle_reset_s=30, carousel_dwell_s=60, burn_in_shift_px=0,
        admin_pin="2608",
    )  # fmt: skip


def shot(run: dict[str, Any], name: str) -> dict[str, Any]:
    return dict(run["shots"][name])


def rows(run: dict[str, Any], sql: str) -> list[tuple[Any, ...]]:
    """Rows from the local state, including the copy kept before the test corrupted it."""
    out: list[tuple[Any, ...]] = []
    for name in (BEFORE_CORRUPTION, FILE_NAME):
        conn = sqlite3.connect(Path(run["state_dir"]) / name)
        try:
            out += conn.execute(sql).fetchall()
        finally:
            conn.close()
    return out


def band_colour(s: dict[str, Any], region: str = "band") -> tuple[int, int, int]:
    return pixel(s, *inside_left_edge(s, region))


def test_before_the_agent_has_started_the_screen_says_no_reading_yet(run: dict[str, Any]) -> None:
    for name in ("no-state-file", "no-reading"):
        s = shot(run, name)
        assert close_to(band_colour(s), hex_rgb(STATE_BAND))
        assert similarity("まだ測定値がありません", ocr(s, "level_word", "ja")) >= 0.7


def test_notice_text_is_shown_exactly_as_written_never_as_markup(run: dict[str, Any]) -> None:
    s = shot(run, "home-markup-notice")
    assert s["view"]["notice_title"] == MARKUP_TITLE  # high priority: shown first
    read = ocr(s, "notice_title", "en")
    assert similarity("[b]Bold[/b] [color=ff0000]red[/color] <script>", read) >= 0.75, read
    x, y, w, h = s["rects"]["notice_title"]
    crop = image(s).crop((int(x), int(y), int(x + w), int(y + h)))
    rgb = crop.tobytes()
    reds = sum(
        1 for i in range(0, len(rgb), 3) if rgb[i] > 180 and rgb[i + 1] < 80 and rgb[i + 2] < 80
    )
    assert reds == 0, "markup was interpreted: red text on the notice"


def test_a_tap_moves_to_the_next_notice_and_a_swipe_back(run: dict[str, Any]) -> None:
    assert shot(run, "home-markup-notice")["view"]["notice_position"] == "1 / 2"
    tapped = shot(run, "notice-tapped")["view"]
    assert tapped["notice_title"] == "給水所は9時から18時まで"  # the notice not yet due is left out
    assert tapped["notice_position"] == "2 / 2"
    assert shot(run, "notice-swiped-back")["view"]["notice_title"] == MARKUP_TITLE
    kinds = rows(run, "SELECT kind, detail FROM interactions ORDER BY id")
    receipts = rows(run, "SELECT notice_id, duration_s, lang FROM receipts ORDER BY id")
    assert ("notice", "next") in kinds
    assert ("notice", "previous") in kinds
    assert receipts[0][0] == "markup"
    assert 3 <= receipts[0][1] < 30
    assert receipts[1][0] == "opening-hours"
    assert {r[2] for r in receipts} >= {"ja"}


def test_the_language_switch_changes_every_text_and_returns_to_japanese(
    run: dict[str, Any],
) -> None:
    korean = shot(run, "korean")
    assert korean["lang"] == "ko"
    assert korean["view"]["level_word"] == "경계"
    assert similarity("경계", ocr(korean, "level_word", "ko")) >= 0.5
    button = pixel(korean, *inside_left_edge(korean, "lang:ko"))
    assert close_to(button, (26, 26, 26)), "the chosen language is marked"
    back = shot(run, "idle-back-to-japanese")
    assert back["lang"] == "ja"
    assert back["view"]["level_word"] == "警戒"
    assert ("lang", "ko") in rows(run, "SELECT kind, detail FROM interactions")
    assert rows(run, "SELECT lang FROM kiosk_status")[-1] == ("ja",)


def test_a_sensor_fault_says_so_and_shows_no_old_value(run: dict[str, Any]) -> None:
    s = shot(run, "sensor-fault")
    assert close_to(band_colour(s), hex_rgb(STATE_BAND))
    assert s["view"]["wbgt_text"] == "—"
    assert similarity("センサーが故障しています", ocr(s, "level_word", "ja")) >= 0.7


def test_offline_is_discreet_and_everything_else_keeps_working(run: dict[str, Any]) -> None:
    s = shot(run, "offline")
    assert s["view"]["offline_text"] == "オフライン"
    assert close_to(band_colour(s), hex_rgb(Level.CAUTION.info.colour))
    assert s["view"]["wbgt_text"] == "23.0"
    assert shot(run, "korean")["view"]["offline_text"] == ""


def test_a_silent_agent_makes_the_reading_stale(run: dict[str, Any]) -> None:
    s = shot(run, "stale")
    assert close_to(band_colour(s), hex_rgb(STATE_BAND))
    assert s["view"]["level_word"] == "データが古くなっています"
    assert "23.0" in s["view"]["guidance"]  # the old value, said to be old


def test_danger_takes_over_and_the_alert_is_above_everything(run: dict[str, Any]) -> None:
    danger = shot(run, "danger-takeover")
    assert danger["view"]["takeover"]
    x, y, w, _h = danger["rects"]["takeover"]
    assert w == danger["size"][0]
    assert y == danger["rects"]["topbar"][1] + danger["rects"]["topbar"][3]  # under the bar
    red = hex_rgb(Level.DANGER.info.colour)
    assert close_to(pixel(danger, x + 5, y + 5), red)
    assert close_to(pixel(danger, 3, 3), red), "red from the top: the bar is part of it"
    assert similarity("危険な暑さです", ocr(danger, "takeover", "ja")) >= 0.5
    both = shot(run, "danger-and-alert")
    ax, ay, _aw, ah = both["rects"]["alert"]
    assert abs(ay) < 0.5
    alert_rgb = hex_rgb(ALERT_COLOURS["special_heatstroke_alert"])  # type: ignore[index]
    assert close_to(pixel(both, ax + 5, ay + 5), alert_rgb)
    assert close_to(pixel(both, 5, ay + ah + 20), red)
    assert both["rects"]["takeover"][1] >= ay + ah  # pushed down, not covered
    read = ocr(both, "alert_text", "ja")
    assert similarity("熱中症特別警戒アラート発表中", read) >= 0.7, read


def test_an_urgent_notice_interrupts_and_an_unknown_level_is_recomputed(
    run: dict[str, Any],
) -> None:
    s = shot(run, "urgent-notice-unknown-level")
    assert s["view"]["notice_title"] == "断水のお知らせ"
    assert s["view"]["level_word"] == "警戒"  # "scorching" is no level: 27.0 is 警戒
    assert close_to(band_colour(s), hex_rgb(Level.WARNING.info.colour))


def test_a_corrupt_state_file_shows_no_reading_and_a_rebuilt_one_is_read(
    run: dict[str, Any],
) -> None:
    assert shot(run, "corrupt-state-file")["view"]["wbgt_text"] == "—"
    rebuilt = shot(run, "state-file-rebuilt")
    assert rebuilt["view"]["wbgt_text"] == "24.0"
    assert close_to(band_colour(rebuilt), hex_rgb(Level.CAUTION.info.colour))


def test_a_screenshot_request_is_answered_with_a_png(run: dict[str, Any]) -> None:
    [(done_at, ok, path)] = rows(
        run, "SELECT done_at, ok, result_path FROM kiosk_requests WHERE request_id = 'req/1 ../x'"
    )
    assert done_at
    assert ok == 1
    written = Path(path)
    assert written.parent == Path(run["state_dir"]) / "screenshots"
    assert written.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# One-line labels sized to the height of their row (the level's; the top bar's for the
# station's name: a taller bar would take the advice's room), and those shrunk to their width.
ROW_LABELS = {"level_word", "wbgt", "takeover_word", "takeover_value", "station"}
# The water line is one line beside the help button, and the buttons' words one line each
# (kiosk/layout.kv).
ONE_LINE = ROW_LABELS | {
    "station",
    "clock",
    "wbgt_label",
    "takeover_label",
    "tk_details",
    "water_text",
    "help_button",
    "tk_help_button",
}


def at_its_limit(name: str, label: dict[str, Any]) -> bool:
    """A one-line label that cannot grow: a larger size would not fit its box."""
    if name not in ONE_LINE:
        return False
    width, height = label["size"]
    bigger = snap_size(label["font_size"], 1)
    too_wide = fitting_size(label["text"], width, bigger) < bigger
    return too_wide or (name in ROW_LABELS and bigger * LINE_HEIGHT > height)


@pytest.mark.parametrize(
    ("normal_name", "large_name"),
    [("state-file-rebuilt", "large-text"), ("normal-text-notice", "large-text-notice")],
)
def test_large_text_makes_every_text_half_as_large_again_and_cuts_nothing(
    run: dict[str, Any], normal_name: str, large_name: str
) -> None:
    normal, large = shot(run, normal_name)["labels"], shot(run, large_name)["labels"]
    compared = 0
    for name, label in large.items():
        if not label["shown"]:
            continue
        assert label["rendered"] == label["chars"], f"{name} is cut: {label['text']!r}"
        before = normal.get(name)
        if before is None or not before["shown"]:
            continue
        if at_its_limit(name, label):  # as large as its box allows: never smaller
            assert label["font_size"] >= before["font_size"], name
            continue
        assert label["font_size"] >= 1.4 * before["font_size"], name
        compared += 1
    # Advice and details; the others fill their boxes (the water line too, one line beside
    # the help button).
    assert compared >= 2
    assert shot(run, large_name)["view"]["lang"] == "ja"


def test_the_large_text_button_shows_that_it_is_on(run: dict[str, Any]) -> None:
    on, off = shot(run, "large-text"), shot(run, "normal-text-notice")
    assert on["view"]["large_text_on_label"] == "大きな文字 オン"
    assert close_to(pixel(on, *inside_left_edge(on, "lang:large-text")), (26, 26, 26))
    assert not close_to(pixel(off, *inside_left_edge(off, "lang:large-text")), (26, 26, 26))
    kinds = rows(run, "SELECT kind, detail FROM interactions WHERE kind = 'large_text'")
    assert [d for _k, d in kinds] == ["on", "off"]


def test_a_child_cannot_open_the_pin_pad_and_it_never_hides_the_level(
    run: dict[str, Any],
) -> None:
    assert not shot(run, "taps")["pin_open"]  # taps in the corner and on the name
    pad = shot(run, "pin-pad")
    assert pad["pin_open"]
    band = pixel(pad, *inside_left_edge(pad, "band"))
    assert close_to(band, hex_rgb(Level.CAUTION.info.colour)), "the level stays in sight"
    px, py, _pw, _ph = pad["rects"]["pinpad"]
    lx, ly, lw, lh = pad["rects"]["level_word"]
    assert px >= lx + lw * 0.5 or py >= ly + lh, "the pad is beside the level word"
    assert not shot(run, "pin-pad-timed-out")["pin_open"]  # closed itself after 10 s
    assert not shot(run, "pin-pad-cancelled")["pin_open"]


def test_only_the_technicians_pin_leaves_the_kiosk(run: dict[str, Any]) -> None:
    assert shot(run, "wrong-pin")["pin_open"]  # still running, the pad waits for another try
    assert "never-reached" not in run["shots"]
    assert run["exit_status"] == 3  # systemd's RestartPreventExitStatus
    outcomes = [d for k, d in rows(run, "SELECT kind, detail FROM interactions") if k == "admin"]
    assert outcomes == ["wrong", "ok"]
