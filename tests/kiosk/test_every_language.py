"""Every kiosk language × {normal, danger, alert, alert over danger} on the 7" 800×480 panel.

One window per language switches through the four states, then shows them again at
1280×800 (screenshots in artifacts/kiosk/languages-<lang>/). The heat alert's whole message
is read back from the screen by OCR, nothing is cut ("…" or a line Kivy dropped), and the
sizes are measured on the rendered widgets in millimetres at the panel's 132 DPI.
"""

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from kiosk.i18n import LANGUAGES
from kiosk.textfit import mm_of_px
from tests.kiosk.conftest import ALWAYS_ON, REPO, run_driver
from tests.kiosk.screens import ocr, similarity
from tests.kiosk.statefile import STATION

DPI = 132.0  # the official 7" display
MESSAGE = {
    "ja": "外出はなるべく避け、室内をエアコン等で涼しい環境にして過ごしてください。",
    "ja-easy": "なるべく そとに でないで ください。エアコンの ある すずしい へやに いましょう。",
    "en": "Avoid going out and stay in a cool, air-conditioned room.",
    "zh": "请尽量避免外出，在有空调的凉爽室内休息。",
    "ko": "외출을 피하고 에어컨이 있는 시원한 실내에서 지내십시오.",
    "vi": "Hạn chế ra ngoài, hãy ở trong phòng mát có điều hòa.",
}
NOTICE = {
    "id": "hours",
    "title": {"ja": "給水所は9時から18時まで", "en": "Open from 9:00 to 18:00"},
    "body": {"ja": "冷たい水をどうぞ。", "en": "Cold water for everyone."},
}
STATES = ("normal", "danger", "alert", "alert-danger")
OCR_WHOLE = 0.85  # of the message's characters, spaces and punctuation aside


def steps(lang: str) -> list[dict[str, Any]]:
    """The four states on the 7" panel, then again at 1280×800 (looked at, not read)."""
    seven_inch = states(lang, "")
    return [
        *seven_inch,
        {"op": "state", "spec": {"alert": None, "reading": {"wbgt": 26.1, "temp_c": 30.4}}},
        {"op": "resize", "size": [1280, 800]},
        *states(lang, "@1280x800")[2:],  # the same station, already in this language
    ]


def states(lang: str, suffix: str) -> list[dict[str, Any]]:
    alert = {"alert": "heatstroke_alert", "forecast_wbgt": 33.4, "message": MESSAGE}
    return [
        {
            "op": "state",
            "spec": {
                "station": list(STATION),
                "display": ALWAYS_ON,
                "agent": {"sensor": "ok", "network": "online"},
                "reading": {"wbgt": 26.1, "temp_c": 30.4},
                "notices": [NOTICE],
                "history": [22, 24, 26, 28, 30, 29, 27, 26],
            },
        },
        {"op": "touch", "target": f"lang:{lang}"},
        {"op": "shot", "name": f"{lang}__normal{suffix}"},
        {"op": "state", "spec": {"reading": {"wbgt": 31.8, "temp_c": 35.2}}},
        {"op": "shot", "name": f"{lang}__danger{suffix}"},
        {"op": "state", "spec": {"reading": {"wbgt": 26.1, "temp_c": 30.4}, "alert": alert}},
        {"op": "shot", "name": f"{lang}__alert{suffix}"},
        {"op": "state", "spec": {"reading": {"wbgt": 31.8, "temp_c": 35.2}}},
        {"op": "shot", "name": f"{lang}__alert-danger{suffix}"},
    ]


@pytest.fixture(scope="module")
def shots(xvfb_display: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = Path(tmp_path_factory.mktemp("languages"))

    def run(lang: str) -> dict[str, Any]:
        return dict(
            run_driver(
                xvfb_display, tmp, f"languages-{lang}", steps(lang),
                burn_in_shift_px=0, idle_reset_s=600, dpi=DPI,
            )["shots"]
        )  # fmt: skip

    with ThreadPoolExecutor(max_workers=2) as pool:
        out: dict[str, Any] = {}
        for part in pool.map(run, [lang.code for lang in LANGUAGES]):
            out.update(part)
    return out


def each(
    shots: dict[str, Any], *states: str, suffix: str = ""
) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (lang.code, state, shots[f"{lang.code}__{state}{suffix}"])
        for lang in LANGUAGES
        for state in states or STATES
    ]


def test_every_state_in_every_language_was_shown(shots: dict[str, Any]) -> None:
    assert len(shots) == 2 * len(LANGUAGES) * len(STATES)
    assert shots["vi__alert@1280x800"]["size"] == [1280, 800]
    for lang, state, s in each(shots):
        assert s["lang"] == lang, state
        assert s["view"]["takeover"] == state.endswith("danger")
        assert bool(s["view"]["alert_text"]) == state.startswith("alert")


def test_the_whole_alert_message_is_on_screen_in_the_screens_language(
    shots: dict[str, Any], tesseract: str
) -> None:
    del tesseract
    jobs = each(shots, "alert", "alert-danger")
    with ThreadPoolExecutor(max_workers=2) as pool:
        read = list(pool.map(lambda j: ocr(j[2], "alert_detail", j[0]), jobs))
    failures = []
    for (lang, state, s), text in zip(jobs, read, strict=True):
        assert s["view"]["alert_lang"] == lang
        assert s["view"]["alert_detail"].endswith(MESSAGE[lang])
        score = similarity(MESSAGE[lang], text)
        if score < OCR_WHOLE or "…" in text:
            failures.append(f"{lang} {state}: {score:.2f} read {text!r}")
    assert not failures, "\n".join(failures)


def test_the_alert_pushes_the_screen_down_instead_of_covering_it(shots: dict[str, Any]) -> None:
    both_sizes = each(shots, "alert", "alert-danger")
    both_sizes += each(shots, "alert", "alert-danger", suffix="@1280x800")
    for lang, state, s in both_sizes:
        rects = s["rects"]
        _ax, ay, _aw, ah = rects["alert"]
        assert abs(ay) < 0.5
        for below in ("topbar", "station", "clock", "stage"):
            assert rects[below][1] >= ay + ah - 1, (lang, state, below)
        level = "takeover_word" if state == "alert-danger" else "level_word"
        _x, y, w, h = rects[level]
        assert y >= ay + ah - 1, (lang, state)
        assert y + h <= rects["langbar"][1] + 1, (lang, state)
        assert min(w, h) > 0


def test_nothing_on_screen_is_cut(shots: dict[str, Any]) -> None:
    failures = []
    for lang, state, s in each(shots) + each(shots, suffix="@1280x800"):
        for name, label in s["labels"].items():
            if not label["shown"] or name == "notice_body":  # a long notice may be cut
                continue
            if label["rendered"] < label["chars"] or label["shortened"] or "…" in label["text"]:
                failures.append(f"{lang} {state} {name}: {label['text']!r}")
    assert not failures, "\n".join(failures)


def test_easy_japanese_labels_break_only_between_words(shots: dict[str, Any]) -> None:
    """Each line of every easy-Japanese label is made of whole words of its texts."""
    catalog = (REPO / "kiosk/locale/ja-easy/LC_MESSAGES/kiosk.po").read_text()
    texts = [*re.findall(r'^msgstr "(.*)"$', catalog, re.M), MESSAGE["ja-easy"]]
    words = {w for text in texts for w in re.split(r"[ 、。]", text)}
    broken = []
    for _lang, state, s in each(shots, suffix="") + each(shots, suffix="@1280x800"):
        if s["lang"] != "ja-easy":
            continue
        for name, label in s["labels"].items():
            if name in ("station", "notice_title", "notice_body"):
                continue  # no easy-Japanese version here: shown in Japanese, which breaks anywhere
            for line in label["text"].split("\n"):
                for piece in re.split(r"[ 、。]", line):
                    if piece and piece not in words and not re.search(r"[0-9{]", piece):
                        broken.append(f"{state} {name}: {piece!r} in {line!r}")
    assert not broken, "\n".join(broken)


def test_the_level_word_is_15_mm_and_the_advice_5_mm_on_the_seven_inch_panel(
    shots: dict[str, Any],
) -> None:
    for lang, state, s in each(shots):
        labels = s["labels"]
        danger = state.endswith("danger")
        advice = labels["takeover_guidance" if danger else "guidance"]
        assert mm_of_px(advice["font_size"], DPI) >= 5, (lang, state, advice)
    # Every language and state, 「Cảnh giác」 and 「Nguy hiểm」 too (on two lines where one is
    # too narrow), the alert over the takeover included.
    small = []
    for lang, state, s in each(shots):
        word = s["labels"]["takeover_word" if state.endswith("danger") else "level_word"]
        if mm_of_px(word["font_size"], DPI) < 15:
            small.append(f"{lang} {state}: {mm_of_px(word['font_size'], DPI):.1f} mm")
    assert not small, "\n".join(small)


def test_the_danger_screen_labels_its_value_and_keeps_the_air_station_and_time(
    shots: dict[str, Any], tesseract: str
) -> None:
    del tesseract
    s = shots["ja__danger"]
    labels = s["labels"]
    assert labels["takeover_label"]["text"].replace("\n", "") == "暑さ指数（WBGT・推定）"
    assert labels["takeover_value"]["text"] == "31.8"
    assert "気温 35.2℃" in labels["tk_details"]["text"]
    for name in ("station", "clock", "takeover_label", "takeover_value", "tk_details"):
        assert labels[name]["shown"], name
    assert similarity("暑さ指数", ocr(s, "takeover_label", "ja")) >= 0.75
    assert not shots["ja__danger"]["labels"]["level_word"]["shown"]  # the home is behind
