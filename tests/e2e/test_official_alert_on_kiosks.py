"""The Ministry issues a 熱中症警戒アラート for 神奈川県 and every kiosk shows it, in every
language, with nobody at the console: file server → kyusui-official → signed, retained on the
broker → station agent → the local state the kiosk shows."""

from collections.abc import Callable, Iterator
from datetime import datetime

import pytest

from contract.content import AlertKind
from contract.jst import JST
from devnet.network import DEMO_STATIONS, StationNetwork
from devnet.ports import free_port
from localstate import AlertView, open_local_state
from server.official.site import alert_candidates, alert_path
from server.official.wording import official_message
from tests.e2e.helpers import api_get, wait_for
from tests.server.official.files import KANAGAWA, TOKYO, alert_csv
from tests.server.official.fileserver import SiteFiles, official_site

KIOSK_LANGUAGES = ("ja", "ja-easy", "en", "zh", "ko", "vi")


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[SiteFiles, str]]:
    files = SiteFiles()
    now = datetime.now(JST)
    day, hour = alert_candidates(now)[0]
    today_flag = 1 if day == now.date() else 0
    tomorrow_flag = 0 if day == now.date() else 1  # yesterday's 17:00 file speaks for today
    text = alert_csv(
        day, f"{hour:02d}:00", [(*TOKYO, 0, 0), (*KANAGAWA, today_flag, tomorrow_flag)]
    )
    files.files[alert_path(day, hour)] = text.encode()
    with official_site(files) as url:
        yield files, url


@pytest.fixture(scope="module")
def network(
    site: tuple[SiteFiles, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StationNetwork]:
    network = StationNetwork(
        tmp_path_factory.mktemp("official"),
        reading_interval_s=1.0,
        failure_rate=0.0,
        broker_port=free_port(),
        api_port=free_port(),
        official_url=site[1],
    )
    try:
        network.start()
        yield network
    finally:
        network.stop()


def alert_on(network: StationNetwork, station_id: str) -> Callable[[], AlertView | None]:
    return lambda: _alert(network, station_id)


def _alert(network: StationNetwork, station_id: str) -> AlertView | None:
    opened = open_local_state(network.workdir / "stations" / station_id, create=False)
    try:
        alert = opened.state.snapshot().alert
    finally:
        opened.state.close()
    return alert if alert is not None and alert.alert != AlertKind.NONE.value else None


def test_an_official_alert_reaches_every_kiosk_in_every_language(network: StationNetwork) -> None:
    def every_station_reporting() -> bool | None:
        reporting = {s["id"] for s in api_get(network, "/api/v1/stations") if s["latest"]}
        return True if reporting >= {s.id for s in DEMO_STATIONS} else None

    wait_for("every station to report", every_station_reporting, timeout_s=60)
    today = datetime.now(JST).date().isoformat()
    for spec in DEMO_STATIONS:
        alert = wait_for(
            f"the official alert on {spec.id}'s kiosk",
            alert_on(network, spec.id),
            timeout_s=60,
        )
        assert alert.alert == AlertKind.HEATSTROKE_ALERT.value
        assert alert.valid_on == today
        assert set(alert.message) == set(KIOSK_LANGUAGES)
        assert alert.message == official_message(AlertKind.HEATSTROKE_ALERT)
