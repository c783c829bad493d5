"""Every level in every language, on the 800×480 display, read back from the screen.

The band colour is sampled where the level band is drawn, and the level's word and advice
are read by OCR in that language: text drawn as empty boxes (a font without the glyphs)
fails, as the Roboto batch below proves.
"""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from contract.levels import Level, ordered_levels
from kiosk.i18n import LANGUAGES
from kiosk.textfit import mm_of_px
from tests.kiosk.conftest import ALWAYS_ON, run_driver
from tests.kiosk.screens import close_to, hex_rgb, inside_left_edge, ocr, pixel, similarity
from tests.kiosk.statefile import STATION

# A WBGT value inside each level's range.
VALUE = {
    Level.SAFE: 18.4,
    Level.CAUTION: 22.7,
    Level.WARNING: 26.1,
    Level.SEVERE_WARNING: 29.5,
    Level.DANGER: 32.3,
}
OCR_PASS = 0.7  # share of the expected characters OCR must find
OCR_FAIL = 0.4  # a font without the glyphs stays far below this
DPI = 132.0  # the official 7" display, 800×480


def level_steps(langs: list[str]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = [
        {
            "op": "state",
            "spec": {
                "station": list(STATION),
                "display": ALWAYS_ON,
                "agent": {"sensor": "ok", "network": "online"},
            },
        }
    ]
    for lang in langs:
        steps.append({"op": "touch", "target": f"lang:{lang}"})
        for level in ordered_levels():
            steps.append({"op": "state", "spec": {"reading": {"wbgt": VALUE[level]}}})
            steps.append({"op": "shot", "name": f"{level.value}__{lang}"})
    return steps


@pytest.fixture(scope="module")
def level_shots(xvfb_display: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = Path(tmp_path_factory.mktemp("levels"))
    return run_driver(
        xvfb_display, tmp, "levels", level_steps([lang.code for lang in LANGUAGES]),
        burn_in_shift_px=0, dpi=DPI,
    )  # fmt: skip


def level_of(shot_name: str) -> Level:
    return Level(shot_name.split("__")[0])


def text_region(shot: dict[str, Any], level: Level) -> tuple[str, str]:
    """Where the level is told, and what it should say there."""
    view = shot["view"]
    if level is Level.DANGER:
        return "takeover", view["level_word"] + view["takeover_headline"]
    return "band", view["level_word"] + view["guidance"]


def read_all(shots: dict[str, Any], tesseract: str) -> dict[str, tuple[str, str]]:
    del tesseract  # the fixture only proves it is installed
    jobs = {}
    for name, shot in shots.items():
        level = level_of(name)
        region, expected = text_region(shot, level)
        jobs[name] = (shot, region, expected)
    with ThreadPoolExecutor(max_workers=2) as pool:  # tesseract runs as its own process
        read = dict(
            zip(
                jobs,
                pool.map(lambda j: ocr(j[0], j[1], j[0]["lang"]), jobs.values()),
                strict=True,
            )
        )
    return {name: (jobs[name][2], read[name]) for name in jobs}


def test_every_level_in_every_language_is_shown_in_its_colour(level_shots: dict[str, Any]) -> None:
    shots = level_shots["shots"]
    assert len(shots) == len(LANGUAGES) * len(ordered_levels())
    for name, shot in shots.items():
        level = level_of(name)
        region = "takeover" if level is Level.DANGER else "band"
        seen = pixel(shot, *inside_left_edge(shot, region))
        assert close_to(seen, hex_rgb(level.info.colour)), (name, seen, level.info.colour)


def test_every_level_word_in_every_language_is_15_mm_on_the_seven_inch_panel(
    level_shots: dict[str, Any],
) -> None:
    """「Gần như an toàn」, 「Severe warning」: two lines rather than a smaller one."""
    small = []
    for name, shot in level_shots["shots"].items():
        word = shot["labels"]["takeover_word" if level_of(name) is Level.DANGER else "level_word"]
        assert word["rendered"] == word["chars"], name
        if mm_of_px(word["font_size"], DPI) < 15:
            small.append(f"{name}: {word['text']!r} {mm_of_px(word['font_size'], DPI):.1f} mm")
    assert not small, "\n".join(small)


def test_every_level_in_every_language_is_readable(
    level_shots: dict[str, Any], tesseract: str
) -> None:
    failures = []
    for name, (expected, read) in read_all(level_shots["shots"], tesseract).items():
        score = similarity(expected, read)
        if score < OCR_PASS:
            failures.append(f"{name}: {score:.2f} expected {expected!r}, read {read!r}")
    assert not failures, "\n".join(failures)


def test_a_font_without_japanese_glyphs_fails_the_reading_check(
    xvfb_display: str, tmp_path_factory: pytest.TempPathFactory, tesseract: str
) -> None:
    """The check above is real: with Kivy's Latin-only Roboto, Japanese is unreadable."""
    import kivy

    roboto = Path(kivy.__file__).parent / "data" / "fonts" / "Roboto-Regular.ttf"
    roboto_bold = roboto.with_name("Roboto-Bold.ttf")
    tmp = Path(tmp_path_factory.mktemp("roboto"))
    steps = [
        *level_steps(["ja"])[:1],
        {"op": "state", "spec": {"reading": {"wbgt": VALUE[Level.SEVERE_WARNING]}}},
        {"op": "shot", "name": "severe_warning__ja"},
    ]
    shots = run_driver(
        xvfb_display, tmp, "levels-roboto", steps,
        font_regular=str(roboto), font_bold=str(roboto_bold), burn_in_shift_px=0,
    )["shots"]  # fmt: skip
    [(expected, read)] = read_all(shots, tesseract).values()
    assert similarity(expected, read) < OCR_FAIL, read
