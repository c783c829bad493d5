"""Staff read the official word through the API: flags for today and tomorrow, what stations
were given and by whom, the forecast, and the files that could not be used."""

from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from contract.content import AlertKind
from contract.jst import JST
from server.official.decide import DayFlags
from server.official.importer import Importer
from server.official.site import (
    OfficialSite,
    alert_candidates,
    alert_path,
    forecast_path,
    observed_path,
)
from server.registry.db import Registry
from server.registry.official import RegistryMemory
from tests.server.official.files import KANAGAWA, alert_csv, forecast_csv
from tests.server.official.fileserver import SiteFiles, official_site


def import_once(registry: Registry, files: SiteFiles) -> list[AlertKind]:
    given: list[AlertKind] = []

    def set_alert(alert: AlertKind, official: DayFlags) -> None:
        given.append(alert)

    with official_site(files) as url:
        site = OfficialSite(url, attempts=1, sleep=lambda _: None)
        Importer(site, RegistryMemory(registry), set_alert, point="46106", area="140000").run()
        site.close()
    return given


def test_staff_see_the_official_alert_forecast_and_what_could_not_be_used(
    api: TestClient, registry: Registry
) -> None:
    now = datetime.now(JST)
    today = now.date()
    day, hour = alert_candidates(now)[0]
    flags = (2, 1) if day == today else (0, 2)  # tomorrow judged 特別警戒, or today from yesterday
    files = SiteFiles()
    files.files[alert_path(day, hour)] = alert_csv(
        day, f"{hour:02d}:00", [(*KANAGAWA, *flags)]
    ).encode()
    start = datetime.combine(today, datetime.min.time(), JST) + timedelta(hours=3)
    files.files[forecast_path("46106")] = forecast_csv(
        "46106", start, [280, 315, 332, 300]
    ).encode()
    files.files[observed_path("46106", today.replace(day=1))] = b"<html>503</html>"
    import_once(registry, files)

    answer = api.get("/api/v1/official")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["attribution"]["ja"] == "出典：環境省熱中症予防情報サイト"
    assert body["forecast_max_today"] == 33.2
    assert body["forecast_level_today"] == "danger"
    [problem] = body["problems"]
    assert problem["status"] == "refused"
    assert problem["reason"].startswith("html:")
    if day == today:
        assert body["today"]["flag"] == 2
        assert body["today"]["alert"] is None  # judged, not issued: for staff only
        assert body["tomorrow"]["flag"] == 1
        assert body["applied_today"] is None
    else:  # before the 05:00 file: yesterday's 17:00 speaks for today in its second column
        assert body["today"]["flag"] == 2
        assert body["tomorrow"] is None


def test_a_station_is_compared_with_the_official_value(api: TestClient) -> None:
    api.post("/api/v1/stations", json={"id": "naka-01", "name_ja": "中区役所前"})
    answer = api.get("/api/v1/stations/naka-01/official")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["point"] == "46106"
    assert body["hours"] == 0
    assert body["biased"] is False
    assert api.get("/api/v1/stations/nowhere/official").status_code == 404


def test_the_open_data_carries_the_official_alert_and_forecast_with_its_source(
    api: TestClient, registry: Registry
) -> None:
    now = datetime.now(JST)
    day, hour = alert_candidates(now)[0]
    flags = (1, 0) if day == now.date() else (0, 1)
    files = SiteFiles()
    alert_file = alert_csv(day, f"{hour:02d}:00", [(*KANAGAWA, *flags)])
    files.files[alert_path(day, hour)] = alert_file.encode()
    start = datetime.combine(now.date(), datetime.min.time(), JST) + timedelta(hours=12)
    files.files[forecast_path("46106")] = forecast_csv("46106", start, [301, 296]).encode()
    assert import_once(registry, files) == [AlertKind.HEATSTROKE_ALERT]

    answer = api.get("/api/v1/public/levels", headers={"Authorization": ""})
    assert answer.status_code == 200, answer.text
    official = answer.json()["official"]
    assert official["alert_today"] == "heatstroke_alert"
    assert official["forecast_max_today"] == 30.1
    assert official["forecast_level_today"] == "severe_warning"
    assert official["attribution"]["ja"] == "出典：環境省熱中症予防情報サイト"
