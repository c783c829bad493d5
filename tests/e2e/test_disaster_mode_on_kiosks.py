"""Staff switch one area into disaster mode through the API while a 特別警戒アラート is in
force: every station of that area takes it over everything else, danger takeover included,
and no station elsewhere does; the screens' receipts tell staff which stations have not yet
confirmed it; a withdrawal brings every screen back to normal. API → signed, retained on
the broker → station agent → local state → the kiosk's screen decision."""

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from contract.levels import Level
from devnet.network import DEMO_STATIONS, StationNetwork
from kiosk.disaster import DisasterReceipts
from kiosk.i18n import Translator
from kiosk.situation import Condition, assess
from kiosk.source import StateSource
from kiosk.viewmodel import HomeView, build_view, station_names
from localstate import AlertView, Snapshot, open_local_state
from tests.e2e.helpers import api_get, station_network, wait_for
from tests.e2e.test_notices_on_kiosks import staff_call
from tests.kiosk.disaster_text import MESSAGE, SHELTERS

NAKA = [s for s in DEMO_STATIONS if s.area == "naka"]
OTHERS = [s for s in DEMO_STATIONS if s.area != "naka"]
TR = Translator()


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StationNetwork]:
    with station_network(tmp_path_factory.mktemp("disaster")) as net:
        yield net


def snapshot(network: StationNetwork, station_id: str) -> Snapshot:
    opened = open_local_state(network.workdir / "stations" / station_id, create=False)
    try:
        return opened.state.snapshot()
    finally:
        opened.state.close()


def in_force_on(network: StationNetwork, station_id: str) -> Callable[[], Snapshot | None]:
    """The station's local state once it holds disaster mode."""

    def probe() -> Snapshot | None:
        snap = snapshot(network, station_id)
        return snap if snap.emergencies else None

    return probe


def ended_on(network: StationNetwork, station_id: str) -> Callable[[], Snapshot | None]:
    def probe() -> Snapshot | None:
        snap = snapshot(network, station_id)
        return None if snap.emergencies else snap

    return probe


def alert_on(network: StationNetwork, station_id: str) -> Callable[[], AlertView | None]:
    return lambda: snapshot(network, station_id).alert


def screen(snap: Snapshot, now_ms: int, lang: str = "ja") -> HomeView:
    """What the station's kiosk shows at 危険 (the danger takeover) with its own state."""
    situation = replace(
        assess(snap, now_ms), condition=Condition.READING, level=Level.DANGER, wbgt=32.0
    )
    return build_view(situation, lang, TR, now_ms, station_names(snap), None)


def test_disaster_mode_takes_over_its_areas_screens_only_until_withdrawn(
    network: StationNetwork,
) -> None:
    def every_station_known() -> bool | None:
        areas = {s["id"]: s["area"] for s in api_get(network, "/api/v1/stations")}
        return True if all(areas.get(s.id) == s.area for s in DEMO_STATIONS) else None

    wait_for("every station to report with its area", every_station_known, timeout_s=60)
    staff_call(network, "PUT", "/api/v1/heat-alert", alert="special_heatstroke_alert")
    for spec in DEMO_STATIONS:
        wait_for(f"the alert on {spec.id}", alert_on(network, spec.id))
    posted = staff_call(
        network, "PUT", "/api/v1/emergency", area="naka", message=MESSAGE, shelters=SHELTERS
    )
    assert posted["unconfirmed"] == len(NAKA)

    for spec in NAKA:
        snap = wait_for(f"disaster mode on {spec.id}", in_force_on(network, spec.id))
        [held] = snap.emergencies
        assert held.version == posted["version"]
        now = held.issued_at + 1000
        view = screen(snap, now)
        assert view.disaster.shown
        assert not view.takeover
        assert not view.alert_text
        for lang, text in MESSAGE.items():
            shown = screen(snap, now, lang).disaster
            assert shown.message == text
            assert all(s["name"][lang] in shown.shelters for s in SHELTERS)
    for spec in OTHERS:
        snap = snapshot(network, spec.id)
        assert snap.emergencies == ()
        view = screen(snap, 0)
        assert view.takeover
        assert view.alert_text

    # The first naka screen shows it and says so, as the kiosk does; the second does not yet.
    shown_on = NAKA[0].id
    source = StateSource(network.workdir / "stations" / shown_on)
    receipts = DisasterReceipts(segment_s=1)
    snap = snapshot(network, shown_on)
    start = snap.emergencies[0].issued_at + 1000
    receipts.update(snap.emergencies, True, "ja", start)
    for receipt in receipts.update(snap.emergencies, True, "ja", start + 1500):
        assert source.record_receipt(receipt)
    source.close()

    def confirmed() -> dict[str, Any] | None:
        [state] = api_get(network, "/api/v1/emergency")
        return state if state["unconfirmed"] == len(NAKA) - 1 else None

    state = wait_for("the screen's receipt to reach staff", confirmed, timeout_s=30)
    by_station = {s["station_id"]: s["confirmed"] for s in state["stations"]}
    assert by_station == {s.id: s.id == shown_on for s in NAKA}

    staff_call(network, "POST", "/api/v1/emergency/withdraw", area="naka")
    for spec in NAKA:
        snap = wait_for(f"disaster mode to end on {spec.id}", ended_on(network, spec.id))
        view = screen(snap, 0)
        assert not view.disaster.shown
        assert view.takeover
        assert view.alert_text
    assert api_get(network, "/api/v1/emergency") == []
    staff_call(network, "PUT", "/api/v1/heat-alert", alert="none")
