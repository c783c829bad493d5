"""「具合の悪い人がいる」 stays on the home screen under a heat alert at a station with no
place list: on the 7" 800×480 panel and at 1280×800, with 大きな文字, in every language.

Under the alert the water line gives its room to the level; with no nearest place to name,
the help button takes the line's slot instead of going with it. It must be in the window,
clear of the alert, the level and the language bar, in its red, and a real touch on it
opens the help screen (screenshots in artifacts/kiosk/help-<size>/).
"""

from pathlib import Path
from typing import Any

import pytest

from kiosk.i18n import LANGUAGES
from kiosk.textfit import mm_of_px
from tests.kiosk.conftest import run_driver
from tests.kiosk.screens import close_to, ocr, pixel, similarity
from tests.kiosk.statefile import STATION

SIZES = ((800, 480), (1280, 800))
DPI = 132.0  # the official 7" display
ALERT = {
    "alert": "heatstroke_alert",
    "forecast_wbgt": 33.4,
    "message": {
        "ja": "外出はなるべく避け、室内をエアコン等で涼しい環境にして過ごしてください。",
        "en": "Avoid going out and stay in a cool, air-conditioned room.",
    },
}
EN_MESSAGE = "Avoid going out and stay in a cool, air-conditioned room."  # no Vietnamese
NOTICE = {"id": "hours", "title": {"ja": "給水所は9時から18時まで"}, "body": {"ja": "冷たい水"}}
# What the help button must never cover, nor be covered by.
CLEAR_OF = ("alert", "topbar", "level_row", "guidance", "details", "langbar")
BUTTON_RED = (191, 25, 25)  # the button's 0.75, 0.1, 0.1


def station(**extra: Any) -> dict[str, Any]:
    return {
        "station": list(STATION),
        "display": {"on_start": "00:00", "on_end": "00:00", "stale_after_s": 600},
        "agent": {"sensor": "ok", "network": "online"},
        "reading": {"wbgt": 26.1, "temp_c": 30.4},
        "history": [22, 24, 26, 28, 30, 29, 27, 26],
        "places": {},  # this station has no place list
        "notices": [],
    } | extra


def steps(width: int, height: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {"op": "resize", "size": [width, height]},
        {"op": "state", "spec": station()},
        {"op": "shot", "name": "no-alert"},
        {"op": "state", "spec": {"alert": ALERT}},
        {"op": "shot", "name": "alert"},
    ]
    for lang in LANGUAGES:
        out += [
            {"op": "touch", "target": f"lang:{lang.code}"},
            {"op": "shot", "name": f"alert-normal-{lang.code}"},
        ]
    out += [{"op": "large_text"}]
    for lang in LANGUAGES:
        out += [
            {"op": "touch", "target": f"lang:{lang.code}"},
            {"op": "shot", "name": f"alert-large-{lang.code}"},
        ]
        if width == 800:  # the message gives way in the band: 「全文を読む」 opens it whole
            out += [
                {"op": "touch", "target": "alert_read"},
                {"op": "shot", "name": f"alert-read-{lang.code}"},
                {"op": "touch", "target": "alert_close"},
            ]
    out += [
        {"op": "state", "spec": {"notices": [NOTICE]}},
        {"op": "touch", "target": "lang:ja"},
        {"op": "shot", "name": "alert-large-notice"},
        {"op": "touch", "target": "band_help_button"},
        {"op": "shot", "name": "help"},
        {"op": "touch", "target": "help_close"},
        {"op": "shot", "name": "closed"},
    ]
    return out


@pytest.fixture(scope="module")
def runs(xvfb_display: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = Path(tmp_path_factory.mktemp("help-button"))
    return {
        f"{w}x{h}": run_driver(
            xvfb_display, tmp, f"help-{w}x{h}", steps(w, h), burn_in_shift_px=0, dpi=DPI
        )
        for w, h in SIZES
    }


def overlap(a: list[float], b: list[float]) -> float:
    """The area two [x, y, w, h] rectangles share."""
    dx = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    dy = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(0.0, dx) * max(0.0, dy)


def home_shots(run: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    names = ["alert", "alert-large-notice"] + [f"alert-large-{lang.code}" for lang in LANGUAGES]
    return [(name, run["shots"][name]) for name in names]


@pytest.mark.parametrize("size", [f"{w}x{h}" for w, h in SIZES])
def test_the_help_button_stays_whole_and_in_sight_under_a_heat_alert_without_places(
    runs: dict[str, Any], size: str
) -> None:
    run = runs[size]
    assert not run["errors"], run["errors"]
    width, height = (int(v) for v in size.split("x"))
    before = run["shots"]["no-alert"]
    assert before["labels"]["help_button"]["shown"]
    assert not before["labels"]["band_help_button"]["shown"]  # one button at a time
    beside_water = before["rects"]["help_button"][2:]
    assert beside_water[1] >= 5 * before["mm"]
    for name, s in home_shots(run):
        where = (size, name)
        assert s["view"]["alert_text"], where
        assert not s["view"]["takeover"], where
        assert s["places"]["strip"] == "", where  # no place to name
        button = s["labels"]["band_help_button"]
        assert button["shown"], where
        assert not s["labels"]["help_button"]["shown"], where  # the water line gave way
        assert button["text"] == s["help"]["button_label"], where
        assert button["rendered"] == button["chars"], where
        assert not button["shortened"], where
        assert button["texture"][1] <= button["size"][1], where  # its words, one whole line
        x, y, w, h = rect = s["rects"]["band_help_button"]
        assert min(x, y) >= 0, where  # inside the window
        assert x + w <= width, where
        assert y + h <= height, where
        # A finger's target, about as wide as beside the water line without the alert.
        assert h >= 5 * s["mm"], (where, rect)
        assert w >= 0.9 * beside_water[0], (where, rect)
        for other in CLEAR_OF:
            assert overlap(rect, s["rects"][other]) == 0, (where, other)
        # Drawn, in its red: nothing covers it.
        assert close_to(pixel(s, x + 3, y + h / 2), BUTTON_RED), where


def test_the_level_and_the_alert_keep_their_size_beside_the_help_button(
    runs: dict[str, Any],
) -> None:
    seven_inch, larger = runs["800x480"]["shots"], runs["1280x800"]["shots"]
    full_size = [seven_inch["alert"]] + [s for _name, s in home_shots(runs["1280x800"])]
    for s in full_size:
        assert mm_of_px(s["labels"]["guidance"]["font_size"], DPI) >= 5, s["path"]
    for s in full_size:
        level = s["labels"]["level_word"]["font_size"]
        assert mm_of_px(level, DPI) >= 15, (s["path"], mm_of_px(level, DPI))
    # On the 7" panel with 大きな文字, in every language, the level keeps at least the size it
    # has at normal text under the same alert (15 mm unless its word is too wide for the
    # row, as 「Cảnh giác」 is): the alert's long message gives way first.
    for lang in LANGUAGES:
        normal = seven_inch[f"alert-normal-{lang.code}"]["labels"]["level_word"]["font_size"]
        large = seven_inch[f"alert-large-{lang.code}"]
        level = large["labels"]["level_word"]["font_size"]
        assert level >= normal, (large["path"], mm_of_px(level, DPI), mm_of_px(normal, DPI))
        assert mm_of_px(level, DPI) >= 11, (large["path"], mm_of_px(level, DPI))
    shots = [("800x480", n, s) for n, s in home_shots(runs["800x480"])]
    shots += [("1280x800", n, s) for n, s in home_shots(runs["1280x800"])]
    for size, name, s in shots:
        labels = s["labels"]
        # The message shows whole at 4 mm or more, or (大きな文字 on a 7" panel) not at all.
        may_give_way = size == "800x480" and name != "alert"
        whole = ["level_word", "wbgt", "alert_text", "guidance", "details"]
        if not may_give_way or "alert_detail" in labels:
            whole.append("alert_detail")
            assert mm_of_px(labels["alert_detail"]["font_size"], DPI) >= 4, s["path"]
        for label in whole:
            assert labels[label]["shown"], (s["path"], label)
            assert labels[label]["rendered"] == labels[label]["chars"], (s["path"], label)
            assert not labels[label]["shortened"], (s["path"], label)
        # The button shares the details' line, inside the band.
        details = s["rects"]["details_row"]
        assert s["rects"]["band_help_button"][3] == details[3], s["path"]
        assert overlap(details, s["rects"]["band"]) == details[2] * details[3], s["path"]
    assert (
        larger["alert-large-ja"]["labels"]["level_word"]["font_size"]
        > (larger["alert"]["labels"]["level_word"]["font_size"])
    ), "大きな文字 still makes the level larger"


@pytest.mark.parametrize("size", [f"{w}x{h}" for w, h in SIZES])
def test_touching_the_help_button_under_the_alert_opens_the_help_screen(
    runs: dict[str, Any], size: str
) -> None:
    shots = runs[size]["shots"]
    assert shots["alert-large-notice"]["panel"] == ""
    opened = shots["help"]
    assert opened["panel"] == "help"
    labels, rects = opened["labels"], opened["rects"]
    assert "119番" in labels["help_step_3"]["text"]
    # The alert's headline stays above; the first aid is whole and inside the screen.
    assert labels["alert_text"]["shown"]
    for name in ("help_step_0", "help_step_3", "help_address", "help_not_119", "help_confirm"):
        assert labels[name]["shown"], name
        assert labels[name]["rendered"] == labels[name]["chars"], name
        _x, y, _w, h = rects[name]
        assert y >= rects["alert"][1] + rects["alert"][3] - 1, name
        assert y + h <= rects["langbar"][1] + 1, name
    assert overlap(rects["help_step_3"], rects["help_not_119"]) == 0
    step = mm_of_px(labels["help_step_0"]["font_size"], DPI)
    assert step >= mm_of_px(labels["help_not_119"]["font_size"], DPI)
    assert step >= 2.8
    assert shots["closed"]["panel"] == ""


def test_with_large_text_on_the_seven_inch_panel_the_whole_message_is_one_touch_away(
    runs: dict[str, Any], tesseract: str
) -> None:
    """The band keeps the headline and says where the rest is; a touch shows the forecast
    and the whole message over the stage, in large type, read back by OCR."""
    del tesseract
    shots = runs["800x480"]["shots"]
    failures = []
    for lang in LANGUAGES:
        band, opened = shots[f"alert-large-{lang.code}"], shots[f"alert-read-{lang.code}"]
        labels = band["labels"]
        if labels.get("alert_detail", {}).get("shown"):  # whole in the band: nothing to open
            assert not labels.get("alert_read", {}).get("shown"), lang.code
            continue
        button = labels["alert_read"]
        assert button["shown"], lang.code
        assert button["rendered"] == button["chars"], lang.code
        assert band["rects"]["alert_read"][3] >= 5 * band["mm"], lang.code  # a finger's size
        assert opened["panel"] == "alert", lang.code
        view = opened["view"]
        message = opened["labels"]["alert_panel_message"]
        assert message["shown"], lang.code
        assert message["rendered"] == message["chars"], lang.code
        assert "…" not in message["text"], lang.code
        # Larger than it would have been in the band.
        assert mm_of_px(message["font_size"], DPI) >= 5, lang.code
        _x, y, _w, h = opened["rects"]["alert_panel_message"]
        assert y + h <= opened["rects"]["langbar"][1] + 1, lang.code
        read = ocr(opened, "alert_panel_message", view["alert_lang"])
        score = similarity(view["alert_detail"], read)
        if score < 0.85 or "…" in read:
            failures.append(f"{lang.code}: {score:.2f} read {read!r}")
        forecast = opened["labels"]["alert_panel_forecast"]
        assert forecast["shown"], lang.code
        assert forecast["text"] == view["alert_forecast"], lang.code
        assert opened["labels"]["alert_text"]["shown"], lang.code  # the headline stays
    assert not failures, "\n".join(failures)
    assert "alert-read-vi" in shots  # every language was opened


def test_a_message_without_vietnamese_is_named_as_english_under_a_vietnamese_headline(
    runs: dict[str, Any], tesseract: str
) -> None:
    del tesseract
    s = runs["800x480"]["shots"]["alert-normal-vi"]
    view, labels = s["view"], s["labels"]
    assert view["alert_text"] == "Đang có cảnh báo say nắng"  # the screen's language
    assert view["alert_forecast"] == "Chỉ số nóng dự báo 33,4"
    assert (view["alert_lang"], view["alert_detail"]) == ("en", EN_MESSAGE)
    assert labels["alert_tag"]["text"] == "English"
    assert labels["alert_tag"]["shown"]
    assert similarity(view["alert_text"], ocr(s, "alert_head", "vi")) >= 0.8
    assert similarity(EN_MESSAGE, ocr(s, "alert_detail", "en")) >= 0.85
    tag, message = s["rects"]["alert_tag"], s["rects"]["alert_detail"]
    assert tag[0] + tag[2] <= message[0]  # beside the message, not inside it
    ja = runs["800x480"]["shots"]["alert-normal-ja"]
    assert "alert_tag" not in ja["labels"] or not ja["labels"]["alert_tag"]["shown"]
