"""Staff clear the alert the Ministry's file set; the next import of the same file leaves
their decision alone, and the API says who decided (source moe → staff), audited."""

from collections.abc import Iterator
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from contract.content import AlertKind
from contract.jst import JST
from devnet.mosquitto import Mosquitto
from server.official.decide import DayFlags
from server.official.importer import Importer
from server.official.site import OfficialSite, alert_candidates, alert_path
from server.registry.db import Registry
from server.registry.official import RegistryMemory
from tests.server.official.files import KANAGAWA, alert_csv
from tests.server.official.fileserver import SiteFiles, official_site
from tests.server.test_heat_alert import clear_retained


@pytest.fixture
def no_alert_left(broker: Mosquitto) -> Iterator[None]:
    """The session broker is shared with every other test: leave no retained alert."""
    yield
    clear_retained(broker)


def import_alerts(registry: Registry, files: SiteFiles) -> list[AlertKind]:
    """One import pass; the alerts it would give the stations."""
    given: list[AlertKind] = []

    def set_alert(alert: AlertKind, official: DayFlags) -> None:
        given.append(alert)

    with official_site(files) as url:
        site = OfficialSite(url, attempts=1, sleep=lambda _: None)
        Importer(site, RegistryMemory(registry), set_alert, point="46106", area="140000").run()
        site.close()
    return given


def alert_for_today() -> SiteFiles:
    now = datetime.now(JST)
    day, hour = alert_candidates(now)[0]
    flags = (1, 0) if day == now.date() else (0, 1)  # before 05:00, yesterday's 17:00 file
    files = SiteFiles()
    files.files[alert_path(day, hour)] = alert_csv(
        day, f"{hour:02d}:00", [(*KANAGAWA, *flags)]
    ).encode()
    return files


@pytest.mark.usefixtures("no_alert_left")
def test_staffs_manual_clear_is_kept_when_the_same_file_is_imported_again(
    notices_api: TestClient, registry: Registry
) -> None:
    files = alert_for_today()
    assert import_alerts(registry, files) == [AlertKind.HEATSTROKE_ALERT]
    automatic = notices_api.get("/api/v1/heat-alert")
    assert automatic.status_code == 200, automatic.text
    assert automatic.json()["source"] == "moe"
    assert automatic.json()["alert"] == "heatstroke_alert"
    assert automatic.json()["set_by"] is None

    cleared = notices_api.put("/api/v1/heat-alert", json={"alert": "none"})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["source"] == "staff"

    assert import_alerts(registry, files) == []  # the same file: staff's decision stands
    now = notices_api.get("/api/v1/heat-alert").json()
    assert (now["alert"], now["source"], now["set_by"]) == ("none", "staff", "bootstrap")
    official = notices_api.get("/api/v1/official").json()
    assert (official["applied_today"], official["applied_by"]) == ("none", "staff")
    assert official["today"]["flag"] == 1  # staff still see what the Ministry said
    audit = notices_api.get("/api/v1/audit", params={"limit": 5}).json()
    assert [(e["action"], e["target"]) for e in audit][:1] == [("heat_alert.set", "none")]


@pytest.mark.usefixtures("no_alert_left")
def test_staff_setting_an_alert_for_a_day_keeps_a_lower_official_file_from_changing_it(
    notices_api: TestClient, registry: Registry
) -> None:
    today = datetime.now(JST).date().isoformat()
    body = {
        "alert": "special_heatstroke_alert",
        "valid_on": today,
        "message": {"ja": "外出を控えてください"},
    }
    answer = notices_api.put("/api/v1/heat-alert", json=body)
    assert answer.status_code == 200, answer.text
    assert import_alerts(registry, alert_for_today()) == []
    now = notices_api.get("/api/v1/heat-alert").json()
    assert (now["alert"], now["source"]) == ("special_heatstroke_alert", "staff")


def test_before_anyone_set_an_alert_there_is_none_to_show(api: TestClient) -> None:
    answer = api.get("/api/v1/heat-alert")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
