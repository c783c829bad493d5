"""The official 7" 800×480 display, 1280×800 and 1920×1080; night, waking and burn-in."""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from contract.jst import JST
from contract.levels import Level
from tests.kiosk.conftest import run_driver
from tests.kiosk.screens import close_to, hex_rgb, inside_left_edge, ocr, pixel, similarity
from tests.kiosk.statefile import STATION

SIZES = ((800, 480), (1280, 800), (1920, 1080))
NOTICE = {"id": "hours", "title": {"ja": "開放時間 9時〜18時"}, "body": {"ja": "冷たい水をどうぞ"}}


def night_window() -> dict[str, Any]:
    """A display schedule that is over right now, in JST: the screen should be dark."""
    now = datetime.now(JST)
    start, end = now + timedelta(hours=2), now + timedelta(hours=4)
    return {"on_start": f"{start:%H:%M}", "on_end": f"{end:%H:%M}", "stale_after_s": 600}


def steps() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {
            "op": "state",
            "spec": {
                "station": list(STATION),
                "display": {"on_start": "00:00", "on_end": "00:00", "stale_after_s": 600},
                "agent": {"sensor": "ok", "network": "online"},
                "reading": {"wbgt": 29.1},
                "notices": [NOTICE],
                "history": [24, 25, 27, 28, 30, 29, 27],
            },
        }
    ]
    for width, height in SIZES:
        out += [
            {"op": "resize", "size": [width, height]},
            {"op": "shot", "name": f"{width}x{height}"},
        ]
    out += [
        {"op": "resize", "size": [800, 480]},
        {"op": "state", "spec": {"display": night_window()}},
        {"op": "shot", "name": "night"},
        {"op": "touch", "target": "lang:en"},
        {"op": "shot", "name": "night-woken-by-touch"},
        {"op": "touch", "target": "lang:en"},
        {"op": "shot", "name": "night-second-touch"},
        {"op": "advance", "s": 130},
        {"op": "shot", "name": "night-asleep-again"},
        {"op": "state", "spec": {"motion_age_s": 5}},
        {"op": "shot", "name": "night-someone-passes"},
        {"op": "advance", "s": -130},
        {"op": "state", "spec": {"display": {"on_start": "00:00", "on_end": "00:00"}}},
        {"op": "shot", "name": "shift-a"},
        {"op": "advance", "s": 300},
        {"op": "shot", "name": "shift-b"},
    ]
    return out


@pytest.fixture(scope="module")
def run(xvfb_display: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = Path(tmp_path_factory.mktemp("layouts"))
    return run_driver(
        xvfb_display, tmp, "layouts", steps(),
        burn_in_shift_px=6, burn_in_period_s=300, wake_s=120,
    )  # fmt: skip


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_each_display_size_shows_the_level_readably_and_fully(
    run: dict[str, Any], tesseract: str, width: int, height: int
) -> None:
    del tesseract
    s = run["shots"][f"{width}x{height}"]
    assert s["size"] == [width, height]
    rects = s["rects"]
    for name in ("band", "notice", "trend", "langbar", "station", "level_word", "guidance"):
        x, y, w, h = rects[name]
        assert min(x, y) >= -7, name  # within the burn-in margin
        assert x + w <= width + 7, name
        assert y + h <= height + 7, name
        assert min(w, h) > 0, name
    langbar = rects["langbar"]
    assert langbar[2] >= width - 14
    assert langbar[1] + langbar[3] >= height - 7
    for code in ("ja", "ja-easy", "en", "zh", "ko", "vi"):
        assert rects[f"lang:{code}"][3] >= 40, "a finger-sized target"
    assert close_to(
        pixel(s, *inside_left_edge(s, "band")), hex_rgb(Level.SEVERE_WARNING.info.colour)
    )
    expected = s["view"]["level_word"] + s["view"]["guidance"]
    read = ocr(s, "band", "ja")
    assert similarity(expected, read) >= 0.7, read
    assert similarity("開放時間9時18時", ocr(s, "notice_title", "ja")) >= 0.6


def test_at_night_the_screen_is_dark_until_touched_and_the_waking_touch_does_nothing_else(
    run: dict[str, Any],
) -> None:
    shots = run["shots"]
    night = shots["night"]
    assert night["display"] == "off"
    assert close_to(pixel(night, 400, 240), (0, 0, 0), 2)
    woken = shots["night-woken-by-touch"]
    assert woken["display"] == "on"
    assert woken["lang"] == "ja"  # the touch only woke the screen
    assert close_to(
        pixel(woken, *inside_left_edge(woken, "band")), hex_rgb(Level.SEVERE_WARNING.info.colour)
    )
    assert shots["night-second-touch"]["lang"] == "en"
    assert shots["night-asleep-again"]["display"] == "off"
    assert shots["night-someone-passes"]["display"] == "on"


def test_the_whole_picture_moves_a_little_against_burn_in(run: dict[str, Any]) -> None:
    a = run["shots"]["shift-a"]["rects"]["band"]
    b = run["shots"]["shift-b"]["rects"]["band"]
    moved = (b[0] - a[0], b[1] - a[1])
    assert moved != (0, 0)
    assert all(abs(d) <= 12 for d in moved)
