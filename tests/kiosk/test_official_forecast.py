"""The Ministry's forecast on the screen, all the way: a forecast file on a local server →
kyusui-official → signed and retained on the broker → the real station agent → its local
state → the real kiosk window, which still shows it after the network is gone."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from contract.jst import JST
from devnet.network import DEMO_STATIONS, StationNetwork
from devnet.ports import free_port
from kiosk.source import StateSource
from server.official.site import alert_candidates, alert_path, forecast_path
from server.official.wording import ATTRIBUTION
from tests.e2e.helpers import wait_for
from tests.kiosk.conftest import run_driver
from tests.kiosk.screens import ocr, similarity
from tests.server.official.files import KANAGAWA, alert_csv, forecast_csv
from tests.server.official.fileserver import SiteFiles, official_site

STATION = DEMO_STATIONS[0]
# Today's maximum at 横浜 is 33.0 (危険); tomorrow's 29.5 must not be shown as today's.
EXPECTED = {
    "ja": "今日の予想 最高 33（危険）",
    "ja-easy": "きょうの よそう いちばん たかい とき 33（きけん）",
    "en": "Today's forecast: high 33 (Danger)",
    "zh": "今日预报 最高 33（危险）",
    "ko": "오늘 예보 최고 33 (위험)",
    "vi": "Dự báo hôm nay: cao nhất 33 (Nguy hiểm)",
}


def forecast_file() -> bytes:
    today = datetime.now(JST).date()
    start = datetime.combine(today, datetime.min.time(), JST) + timedelta(hours=3)
    # 03:00 … 24:00 today, then 03:00 … 24:00 tomorrow, every 3 hours.
    values = [265, 280, 300, 330, 320, 300, 285, 270, 255, 265, 280, 295, 290, 280, 270, 260]
    return forecast_csv("46106", start, values).encode()


def alert_file() -> tuple[str, bytes]:
    now = datetime.now(JST)
    day, hour = alert_candidates(now)[0]
    flags = (1, 0) if day == now.date() else (0, 1)  # before 05:00: yesterday's 17:00 file
    return alert_path(day, hour), alert_csv(day, f"{hour:02d}:00", [(*KANAGAWA, *flags)]).encode()


@pytest.fixture
def station_offline(tmp_path: Path) -> Iterator[Path]:
    """One demo station fed by kyusui-official from a local file server; once the forecast
    reached its local state, the broker is stopped. Yields the station's state directory."""
    files = SiteFiles()
    files.files[forecast_path("46106")] = forecast_file()
    files.files.update([alert_file()])  # the day's 熱中症警戒アラート above it all
    with official_site(files) as url:
        network = StationNetwork(
            tmp_path / "net",
            stations=(STATION,),
            reading_interval_s=1.0,
            failure_rate=0.0,
            broker_port=free_port(),
            api_port=free_port(),
            official_url=url,
        )
        network.workdir.mkdir(parents=True)
        # The screen on around the clock, so the test does not depend on the hour.
        (network.workdir / f"{STATION.id}.toml").write_text(
            'display_on_start = "00:00"\ndisplay_on_end = "00:00"\n'
        )
        state_dir = network.workdir / "stations" / STATION.id
        try:
            network.start()
            source = StateSource(state_dir)

            def forecast_held() -> bool | None:
                snap = source.snapshot()
                held = snap is not None and snap.forecast is not None and snap.alert is not None
                return True if held else None

            wait_for("the official forecast and alert in the local state", forecast_held, 90)
            assert network.broker is not None
            network.broker.stop()

            def offline() -> bool | None:
                snap = source.snapshot()
                return True if snap is not None and snap.network == "offline" else None

            wait_for("the agent to notice the network is gone", offline, 60)
            source.close()
            yield state_dir
        finally:
            network.stop()


def test_the_kiosk_shows_todays_official_forecast_with_its_source_in_every_language(
    xvfb_display: str, tmp_path: Path, station_offline: Path, tesseract: str
) -> None:
    steps: list[dict[str, Any]] = [
        {"op": "advance", "s": 0},
        {"op": "shot", "name": "alert"},
        {"op": "large_text"},
        {"op": "shot", "name": "alert-large"},
        {"op": "large_text"},
        {"op": "state", "spec": {"alert": None}},  # the alert's day is over; the forecast's not
        {"op": "shot", "name": "ja"},
    ]
    for lang in EXPECTED:
        if lang != "ja":
            steps += [{"op": "touch", "target": f"lang:{lang}"}, {"op": "shot", "name": lang}]
    shots = run_driver(
        xvfb_display,
        tmp_path,
        "official-forecast",
        steps,
        state_dir=station_offline,
        burn_in_shift_px=0,
    )["shots"]
    for lang, expected in EXPECTED.items():
        shot = shots[lang]
        view = shot["view"]
        assert view["offline_text"], f"{lang}: the station should be offline"
        assert view["forecast_text"] == expected, lang
        assert view["forecast_source"] == ATTRIBUTION[lang], lang
        for label in ("forecast_text", "forecast_source"):
            shown = shot["labels"][label]
            assert shown["shown"], f"{lang}: {label} is hidden"
            assert shown["rendered"] == shown["chars"], f"{lang}: {label} is cut"
        _x, _y, width, height = shot["rects"]["forecast"]
        assert width > 0
        assert height > 0
    ja = shots["ja"]
    assert similarity("今日の予想最高33危険", ocr(ja, "forecast_text", "ja")) >= 0.7
    assert similarity("出典環境省熱中症予防情報サイト", ocr(ja, "forecast_source", "ja")) >= 0.7

    # Under the day's official alert the 7" panel has no room left for it: it gives way whole
    # before the level word would shrink under 15 mm, and is never cut.
    alert, large = shots["alert"], shots["alert-large"]
    assert alert["view"]["alert_text"] == "熱中症警戒アラート発表中"
    # The alert band itself carries the day's forecast maximum.
    assert alert["view"]["alert_forecast"] == "予想される暑さ指数 33.0"
    assert alert["view"]["forecast_text"] == EXPECTED["ja"]
    assert not alert["labels"]["forecast_text"]["shown"]
    for shot in (alert, large):
        for label in ("forecast_text", "forecast_source", "level_word", "alert_detail"):
            # With 大きな文字 on the 7" panel the alert's message gives way whole (no label).
            seen = shot["labels"].get(label, {"shown": False})
            assert not seen["shown"] or seen["rendered"] == seen["chars"], label
        forecast_shown = shot["labels"]["forecast_text"]["shown"]
        assert forecast_shown == (shot["rects"]["forecast"][3] > 0)
        level_top = shot["rects"]["level_row"][1]
        assert level_top >= sum(shot["rects"]["alert"][1::2]) - 1  # below the alert band
