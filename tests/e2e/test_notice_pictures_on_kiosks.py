"""A picture staff attach to an area's notice reaches that area's stations and no others:
API (re-encoded, hashed, signed) → the picture and the notice retained on the broker →
station agent (bytes checked against the signed hash) → the picture cache the kiosk reads."""

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from devnet.network import DEMO_STATIONS, StationNetwork
from localstate import IMAGES_DIR, NoticeView, open_local_state
from tests.e2e.helpers import api_get, station_network, wait_for
from tests.e2e.test_notices_on_kiosks import staff_call
from tests.pictures import poster

NAKA = [s for s in DEMO_STATIONS if s.area == "naka"]
OTHERS = [s for s in DEMO_STATIONS if s.area != "naka"]


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StationNetwork]:
    with station_network(tmp_path_factory.mktemp("pictures")) as net:
        yield net


def station_dir(network: StationNetwork, station_id: str) -> Path:
    return network.workdir / "stations" / station_id


def pictured_notice(network: StationNetwork, station_id: str) -> Callable[[], NoticeView | None]:
    def probe() -> NoticeView | None:
        opened = open_local_state(station_dir(network, station_id), create=False)
        try:
            found = {n.notice_id: n for n in opened.state.snapshot().notices}
        finally:
            opened.state.close()
        held = found.get("bon-odori")
        if held is None or held.image is None:
            return None
        cached = station_dir(network, station_id) / IMAGES_DIR / held.image.file_name
        return held if cached.is_file() else None

    return probe


def emptied(state_dir: Path) -> Callable[[], bool | None]:
    """The station's picture cache once it holds nothing."""
    return lambda: True if not any((state_dir / IMAGES_DIR).iterdir()) else None


def test_an_areas_picture_notice_reaches_its_stations_with_the_signed_picture(
    network: StationNetwork,
) -> None:
    def every_station_known() -> bool | None:
        areas = {s["id"]: s["area"] for s in api_get(network, "/api/v1/stations")}
        return True if all(areas.get(s.id) == s.area for s in DEMO_STATIONS) else None

    wait_for("every station to report with its area", every_station_known, timeout_s=60)
    staff_call(
        network,
        "POST",
        "/api/v1/notices",
        id="bon-odori",
        title={"ja": "盆踊り会場に給水所があります"},
        target={"scope": "area", "id": "naka"},
    )
    answer = httpx.put(
        f"{network.api_url}/api/v1/notices/bon-odori/image",
        files={"file": ("poster.jpg", poster(1200, 900), "image/jpeg")},
        data={"alt_ja": "盆踊りのポスター", "alt_en": "Bon dance poster"},
        headers={"Authorization": f"Bearer {network.api_token}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    sent = answer.json()
    for spec in NAKA:
        held = wait_for(f"the picture on {spec.id}", pictured_notice(network, spec.id))
        assert held.image is not None
        assert held.version == sent["notice"]["version"]
        assert held.image.alt == {"ja": "盆踊りのポスター", "en": "Bon dance poster"}
        cached = station_dir(network, spec.id) / IMAGES_DIR / held.image.file_name
        assert hashlib.sha256(cached.read_bytes()).hexdigest() == sent["sha256"]
    for spec in OTHERS:
        assert not (station_dir(network, spec.id) / IMAGES_DIR).exists()

    staff_call(network, "POST", "/api/v1/notices/bon-odori/withdraw")
    for spec in NAKA:
        wait_for(f"the picture to leave {spec.id}", emptied(station_dir(network, spec.id)))
