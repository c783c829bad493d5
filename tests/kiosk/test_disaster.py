"""Disaster mode (避難所開設情報) on the real kiosk window: above the danger takeover and
the heat alert, in every language (read back by OCR), receipts of what was shown, and the
normal screen again once it is withdrawn. Screenshots in artifacts/kiosk/disaster/."""

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from contract.content import ALERT_COLOURS, AlertKind, emergency_id
from kiosk.i18n import LANGUAGES
from localstate.db import FILE_NAME
from tests.kiosk.conftest import ALWAYS_ON, run_driver
from tests.kiosk.disaster_text import MESSAGE, SHELTERS
from tests.kiosk.screens import close_to, hex_rgb, inside_left_edge, ocr, pixel, similarity
from tests.kiosk.statefile import STATION

ALERT = {"alert": "heatstroke_alert", "forecast_wbgt": 33.4, "message": {"ja": "外出を控えて"}}
EMERGENCY = {"id": emergency_id(None), "version": 7, "message": MESSAGE, "shelters": SHELTERS}
OCR_FOUND = 0.8
# Per shelter name: a four-character name read with one character wrong (chi_sim reads the
# Japanese place name 本町 as 本是) is still found; a name missing from the screen is not.
OCR_NAME = 0.7


@pytest.fixture(scope="module")
def results(xvfb_display: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = Path(tmp_path_factory.mktemp("disaster"))
    danger_under_alert = {
        "station": list(STATION),
        "display": ALWAYS_ON,
        "agent": {"sensor": "ok", "network": "online"},
        "reading": {"wbgt": 31.8, "temp_c": 35.2},
        "alert": ALERT,
        "notices": [{"id": "hours", "title": {"ja": "給水所は9時から"}}],
    }
    steps: list[dict[str, Any]] = [
        {"op": "state", "spec": danger_under_alert},
        {"op": "shot", "name": "before"},
        {"op": "state", "spec": {"emergencies": [EMERGENCY]}},
    ]
    for lang in LANGUAGES:
        steps += [
            {"op": "touch", "target": f"lang:{lang.code}"},
            {"op": "advance", "s": 2},
            {"op": "shot", "name": lang.code},
        ]
    steps += [
        {"op": "touch", "target": "lang:ja"},
        {"op": "state", "spec": {"emergencies": []}},  # the signed withdrawal, as the agent
        {"op": "shot", "name": "withdrawn"},
    ]
    return run_driver(
        xvfb_display, tmp, "disaster", steps, burn_in_shift_px=0, idle_reset_s=600,
        disaster_receipt_s=1,
    )  # fmt: skip


def test_disaster_mode_covers_the_danger_takeover_and_the_heat_alert(
    results: dict[str, Any],
) -> None:
    shots = results["shots"]
    before = shots["before"]["view"]
    assert before["takeover"]
    assert before["alert_text"]
    for lang in LANGUAGES:
        shot = shots[lang.code]
        view = shot["view"]
        assert view["disaster"]["shown"], lang.code
        assert not view["takeover"]
        assert not view["alert_text"]
        assert shot["rects"]["alert"][3] == 0  # the alert's band gave its room away
        band = pixel(shot, *inside_left_edge(shot, "disaster_headline", 2))
        assert not close_to(band, hex_rgb(ALERT_COLOURS[AlertKind.HEATSTROKE_ALERT]))
        labels = shot["labels"]
        for name in ("disaster_headline", "disaster_message", "disaster_shelters"):
            assert labels[name]["shown"], (lang.code, name)
            assert labels[name]["rendered"] == labels[name]["chars"], (lang.code, name)
        assert not labels.get("takeover_guidance", {}).get("shown", False)


def test_ocr_reads_the_message_and_every_shelter_in_each_language(
    results: dict[str, Any], tesseract: str
) -> None:
    del tesseract
    shots = results["shots"]

    def read(lang: str) -> tuple[str, str, str]:
        shot = shots[lang]
        return lang, ocr(shot, "disaster_message", lang), ocr(shot, "disaster_shelters", lang)

    with ThreadPoolExecutor(max_workers=2) as pool:
        found = list(pool.map(read, [lang.code for lang in LANGUAGES]))
    for lang, message, shelters in found:
        assert similarity(MESSAGE[lang], message) >= OCR_FOUND, (lang, message)
        names = [shelter["name"][lang] for shelter in SHELTERS]
        assert similarity("".join(names), shelters) >= OCR_FOUND, (lang, shelters)
        for name in names:
            assert similarity(name, shelters) >= OCR_NAME, (lang, name, shelters)


def test_withdrawal_brings_back_the_normal_screen(results: dict[str, Any]) -> None:
    view = results["shots"]["withdrawn"]["view"]
    assert not view["disaster"]["shown"]
    assert view["takeover"]
    assert view["alert_text"]


def test_receipts_say_the_screen_showed_it_in_each_language(results: dict[str, Any]) -> None:
    conn = sqlite3.connect(Path(results["state_dir"]) / FILE_NAME)
    rows = conn.execute(
        "SELECT version, lang, duration_s FROM receipts WHERE notice_id = ?",
        (emergency_id(None),),
    ).fetchall()
    conn.close()
    assert {r[0] for r in rows} == {7}
    assert {r[1] for r in rows} == {lang.code for lang in LANGUAGES}
    assert sum(r[2] for r in rows) > 0
