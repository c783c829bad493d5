"""A notice ward staff post through the API reaches the kiosks of the stations it is for,
and leaves them again when it is withdrawn: API → signed, retained on the broker → station
agent → the local state the kiosk shows."""

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from devnet.network import DEMO_STATIONS, StationNetwork
from localstate import NoticeView, open_local_state
from tests.e2e.helpers import api_get, station_network, wait_for

NAKA = [s for s in DEMO_STATIONS if s.area == "naka"]
OTHERS = [s for s in DEMO_STATIONS if s.area != "naka"]


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StationNetwork]:
    with station_network(tmp_path_factory.mktemp("notices")) as net:
        yield net


def shown_notices(network: StationNetwork, station_id: str) -> dict[str, NoticeView]:
    """What the station's kiosk would show: the notices in its local state."""
    opened = open_local_state(network.workdir / "stations" / station_id, create=False)
    try:
        return {n.notice_id: n for n in opened.state.snapshot().notices}
    finally:
        opened.state.close()


def notice_on(
    network: StationNetwork, station_id: str, notice_id: str
) -> Callable[[], NoticeView | None]:
    return lambda: shown_notices(network, station_id).get(notice_id)


def gone_from(
    network: StationNetwork, station_id: str, notice_id: str
) -> Callable[[], bool | None]:
    return lambda: True if notice_id not in shown_notices(network, station_id) else None


def staff_call(network: StationNetwork, method: str, path: str, **body: Any) -> dict[str, Any]:
    answer = httpx.request(
        method,
        f"{network.api_url}{path}",
        json=body or None,
        headers={"Authorization": f"Bearer {network.api_token}"},
        timeout=30,
    )
    assert answer.status_code in (200, 201), f"{method} {path}: {answer.text}"
    result: dict[str, Any] = answer.json()
    return result


def test_an_area_notice_reaches_that_areas_kiosks_only_and_a_withdrawal_removes_it(
    network: StationNetwork,
) -> None:
    def every_station_known() -> bool | None:
        areas = {s["id"]: s["area"] for s in api_get(network, "/api/v1/stations")}
        return True if all(areas.get(s.id) == s.area for s in DEMO_STATIONS) else None

    wait_for("every station to report with its area", every_station_known, timeout_s=60)
    posted = staff_call(
        network,
        "POST",
        "/api/v1/notices",
        id="naka-festival",
        title={"ja": "中区の夏祭り会場に給水所があります", "en": "Water at the Naka festival"},
        body={"ja": "水分をこまめにとりましょう。"},
        priority="high",
        target={"scope": "area", "id": "naka"},
    )
    for spec in NAKA:
        notice = wait_for(
            f"the notice on {spec.id}'s kiosk",
            notice_on(network, spec.id, "naka-festival"),
        )
        assert notice.version == posted["version"]
        assert notice.title["ja"] == "中区の夏祭り会場に給水所があります"
        assert notice.priority == "high"
    for spec in OTHERS:
        assert "naka-festival" not in shown_notices(network, spec.id)

    staff_call(network, "POST", "/api/v1/notices/naka-festival/withdraw")
    for spec in NAKA:
        wait_for(
            f"the notice to leave {spec.id}'s kiosk",
            gone_from(network, spec.id, "naka-festival"),
        )
    for spec in OTHERS:
        assert "naka-festival" not in shown_notices(network, spec.id)
