"""The top bar of an offline station: its name, 「オフライン」 and the clock, whole on one line
each, in every kiosk language, with normal and large text, at 800×480 and 1280×800, on
the home screen and on the danger takeover (screenshots in artifacts/kiosk/topbar-<size>/).
"""

from pathlib import Path
from typing import Any

import pytest

from kiosk.i18n import LANGUAGES
from kiosk.textfit import mm_of_px
from tests.kiosk.conftest import ALWAYS_ON, run_driver
from tests.kiosk.statefile import STATION

SIZES = ((800, 480), (1280, 800))
DPI = 132.0
TOP_BAR = ("station", "offline", "clock")


def steps(width: int, height: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {"op": "resize", "size": [width, height]},
        {
            "op": "state",
            "spec": {
                "station": list(STATION),
                "display": ALWAYS_ON,
                "agent": {"sensor": "ok", "network": "offline"},
                "reading": {"wbgt": 26.1, "temp_c": 30.4},
            },
        },
    ]
    for text in ("normal", "large"):
        if text == "large":
            out.append({"op": "large_text"})
        for lang in LANGUAGES:
            out += [
                {"op": "touch", "target": f"lang:{lang.code}"},
                {"op": "state", "spec": {"reading": {"wbgt": 26.1, "temp_c": 30.4}}},
                {"op": "shot", "name": f"{text}-{lang.code}"},
                {"op": "state", "spec": {"reading": {"wbgt": 31.8, "temp_c": 35.2}}},
                {"op": "shot", "name": f"{text}-{lang.code}-danger"},
            ]
    return out


@pytest.fixture(scope="module")
def runs(xvfb_display: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = Path(tmp_path_factory.mktemp("topbar"))
    return {
        f"{w}x{h}": run_driver(
            xvfb_display, tmp, f"topbar-{w}x{h}", steps(w, h),
            burn_in_shift_px=0, idle_reset_s=600, dpi=DPI,
        )["shots"]
        for w, h in SIZES
    }  # fmt: skip


def inside(inner: list[float], outer: list[float]) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return x >= ox - 1 and y >= oy - 1 and x + w <= ox + ow + 1 and y + h <= oy + oh + 1


@pytest.mark.parametrize("size", [f"{w}x{h}" for w, h in SIZES])
def test_no_top_bar_label_wraps_or_is_cut_in_any_language(runs: dict[str, Any], size: str) -> None:
    failures = []
    shots = runs[size]
    assert len(shots) == 2 * 2 * len(LANGUAGES)
    for name, s in shots.items():
        assert s["view"]["offline_text"], name
        bar = s["rects"]["topbar"]
        for label_id in TOP_BAR:
            label, rect = s["labels"][label_id], s["rects"][label_id]
            where = f"{size} {name} {label_id} {label['text']!r}"
            one_line = label["lines"] == 1 and "\n" not in label["text"]
            whole = label["rendered"] == label["chars"] and not label["shortened"]
            fits = label["texture"][0] <= label["size"][0] + 1
            if not (label["shown"] and one_line and whole and fits and "…" not in label["text"]):
                failures.append(where)
            if not inside(rect, bar):
                failures.append(f"{where}: outside the bar {rect} {bar}")
            # Readable from a step away, even where the name yields its room.
            if mm_of_px(label["font_size"], DPI) < 1.9:
                failures.append(f"{where}: {label['font_size']} px")
        station, offline, clock = (s["rects"][k] for k in TOP_BAR)
        if not station[0] + station[2] <= offline[0] + 1 <= offline[0] + offline[2] <= clock[0] + 1:
            failures.append(f"{size} {name}: the labels overlap {station} {offline} {clock}")
    assert not failures, "\n".join(failures)


def test_large_text_makes_the_top_bar_larger_where_it_has_room(runs: dict[str, Any]) -> None:
    for size in runs:
        normal, large = runs[size]["normal-ja"]["labels"], runs[size]["large-ja"]["labels"]
        # The clock grows as far as its share of the bar (at least a step); the offline word
        # half as large again.
        assert large["clock"]["font_size"] > normal["clock"]["font_size"], size
        assert large["offline"]["font_size"] >= 1.4 * normal["offline"]["font_size"], size
        for label in TOP_BAR:
            assert large[label]["font_size"] >= normal[label]["font_size"], (size, label)
