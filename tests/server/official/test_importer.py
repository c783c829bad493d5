"""One import pass against a local HTTP server serving files in the Ministry's formats."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import pytest

from contract.content import AlertKind, AnyContent, HeatAlert
from contract.forecast import OfficialForecast
from contract.jst import JST
from server.official.decide import Applied, DayFlags
from server.official.importer import FileKind, Importer, Pass, Status
from server.official.publish import (
    OfficialAlertPublisher,
    OfficialForecastPublisher,
    kept_forecast_max,
)
from server.official.site import OfficialSite, alert_path, forecast_path, observed_path
from server.publish import PublishError
from server.registry.db import Registry
from server.registry.models import OfficialFile
from server.registry.official import RegistryMemory
from tests.server.official.files import KANAGAWA, TOKYO, alert_csv, forecast_csv, observed_csv
from tests.server.official.fileserver import SiteFiles, official_site

TODAY = date(2026, 8, 7)
YESTERDAY = date(2026, 8, 6)
YOKOHAMA = "46106"


@dataclass
class Alerts:
    set: list[tuple[AlertKind, DayFlags]] = field(default_factory=list)

    def __call__(self, alert: AlertKind, official: DayFlags) -> None:
        self.set.append((alert, official))


@dataclass
class Setup:
    files: SiteFiles
    memory: RegistryMemory
    alerts: Alerts
    importer: Importer

    def run_at(self, hour: int, minute: int = 0) -> Pass:
        self.importer.now = lambda: datetime(2026, 8, 7, hour, minute, tzinfo=JST)
        return self.importer.run()


@pytest.fixture
def setup(registry: Registry) -> Iterator[Setup]:
    files = SiteFiles()
    with official_site(files) as url:
        memory, alerts = RegistryMemory(registry), Alerts()
        site = OfficialSite(url, timeout_s=0.3, attempts=2, sleep=lambda _: None)
        importer = Importer(site, memory, alerts, point=YOKOHAMA, area="140000")
        yield Setup(files, memory, alerts, importer)
        site.close()


def alert_file(day: date, hour: int, today: int, tomorrow: int = 0) -> tuple[str, bytes]:
    text = alert_csv(day, f"{hour:02d}:00", [(*TOKYO, 1, 1), (*KANAGAWA, today, tomorrow)])
    return alert_path(day, hour), text.encode()


def test_the_newest_alert_file_sets_the_alert_for_kanagawa(setup: Setup) -> None:
    setup.files.files.update([alert_file(TODAY, 5, 0), alert_file(TODAY, 10, 1)])
    result = setup.run_at(11)
    assert result.applied is AlertKind.HEATSTROKE_ALERT
    ((_alert, official),) = setup.alerts.set
    assert official.day == TODAY
    assert official.reported_at == datetime(2026, 8, 7, 10, tzinfo=JST)


def test_before_5_00_yesterdays_17_00_file_speaks_for_today(setup: Setup) -> None:
    setup.files.files.update([alert_file(YESTERDAY, 17, 0, tomorrow=3)])
    result = setup.run_at(3)
    assert result.applied is AlertKind.SPECIAL_HEATSTROKE_ALERT
    assert result.today is not None
    assert result.today.day == TODAY


def test_a_later_file_with_flag_0_leaves_the_days_alert_until_the_day_ends(setup: Setup) -> None:
    setup.files.files.update([alert_file(TODAY, 5, 1)])
    setup.run_at(6)
    setup.files.files.update([alert_file(TODAY, 17, 0, tomorrow=0)])
    result = setup.run_at(17, 10)
    assert result.today is not None
    assert result.today.flag == 0
    assert [alert for alert, _ in setup.alerts.set] == [AlertKind.HEATSTROKE_ALERT]


def test_staff_clearing_todays_alert_is_not_undone_by_the_next_file(setup: Setup) -> None:
    setup.memory.record_applied(Applied(TODAY, AlertKind.NONE, by_staff=True), None)
    setup.files.files.update([alert_file(TODAY, 5, 1), alert_file(TODAY, 10, 3)])
    assert setup.run_at(11).applied is None
    assert setup.alerts.set == []


def test_tomorrows_alert_is_known_in_advance(setup: Setup) -> None:
    setup.files.files.update([alert_file(TODAY, 17, 0, tomorrow=1)])
    result = setup.run_at(17, 5)
    assert result.tomorrow is not None
    assert result.tomorrow.flag == 1
    assert result.applied is None


def test_out_of_season_every_file_is_missing_and_nothing_changes(setup: Setup) -> None:
    result = setup.run_at(11)
    assert {r.status for r in result.records} == {Status.MISSING}
    assert {r.kind for r in result.records} == set(FileKind)
    assert setup.alerts.set == []


def test_a_site_that_hangs_changes_nothing(setup: Setup) -> None:
    setup.files.hang.update(
        [alert_path(TODAY, 10), alert_path(TODAY, 5), alert_path(YESTERDAY, 17)]
    )
    result = setup.run_at(11)
    unreachable = [r for r in result.records if r.status is Status.UNREACHABLE]
    assert len(unreachable) == 3
    assert all("Timeout" in r.reason for r in unreachable)
    assert setup.alerts.set == []


def test_a_file_that_does_not_parse_is_kept_and_the_last_good_one_stays_in_use(
    setup: Setup,
) -> None:
    path = forecast_path(YOKOHAMA)
    start = datetime(2026, 8, 7, 3, tzinfo=JST)
    good = forecast_csv(YOKOHAMA, start, [300, 320, 331]).encode()
    setup.files.files[path] = good
    assert setup.run_at(8).forecast is not None
    setup.files.files[path] = b"<html><body>Service Unavailable</body></html>"
    result = setup.run_at(9)
    (refused,) = [r for r in result.records if r.kind is FileKind.FORECAST]
    assert refused.status is Status.REFUSED
    assert refused.reason.startswith("html:")
    with setup.memory.registry.session() as session:
        kept = session.get(OfficialFile, path)
        assert kept is not None
        assert kept.refused_body is not None
        assert kept.refused_body.startswith(b"<html>")
        assert kept.good_body == good
    assert result.forecast is not None
    assert result.forecast.daily_max(TODAY) == 33.1


def test_an_unchanged_file_is_not_downloaded_again(setup: Setup) -> None:
    path = observed_path(YOKOHAMA, date(2026, 8, 1))
    setup.files.files[path] = observed_csv([YOKOHAMA], TODAY, {YOKOHAMA: [26.0, 25.5]}).encode()
    setup.run_at(8)
    setup.run_at(9)
    asked = [headers for p, headers in setup.files.requests if p == path]
    assert len(asked) == 2
    assert "If-None-Match" in asked[1]


@dataclass
class Broker:
    """Stands in for the MQTT publisher: keeps what was published, or refuses."""

    published: list[tuple[str, AnyContent]] = field(default_factory=list)
    refuse: bool = False

    def publish(self, topic: str, content: AnyContent) -> None:
        if self.refuse:
            raise PublishError("the broker did not confirm the publication in 10 s")
        self.published.append((topic, content))


def test_each_new_forecast_is_given_to_stations_once_with_todays_maximum(setup: Setup) -> None:
    broker = Broker()
    setup.importer.set_forecast = OfficialForecastPublisher(broker)
    start = datetime(2026, 8, 7, 3, tzinfo=JST)  # 03:00 today … 24:00 tomorrow
    values = [265, 280, 300, 330, 320, 300, 285, 270, 255, 265, 280, 295, 290, 280, 270, 260]
    setup.files.files[forecast_path(YOKOHAMA)] = forecast_csv(YOKOHAMA, start, values).encode()
    assert setup.run_at(8).forecast_published
    ((topic, content),) = broker.published
    assert topic == "kyusui/v1/all/forecast"
    assert isinstance(content, OfficialForecast)
    assert [(d.day, d.max_wbgt) for d in content.days] == [
        ("2026-08-07", 33.0),
        ("2026-08-08", 29.5),
    ]
    assert content.attribution["ja"] == "出典：環境省熱中症予防情報サイト"
    # Shown until the end of its last day, then never: 2026-08-09 00:00 JST.
    assert content.expires_at == int(datetime(2026, 8, 9, tzinfo=JST).timestamp() * 1000)

    assert not setup.run_at(9).forecast_published  # unchanged: no write on every station
    assert len(broker.published) == 1
    later = forecast_csv(YOKOHAMA, start, [v + 10 for v in values], made_at="2026/08/07 11:25")
    setup.files.files[forecast_path(YOKOHAMA)] = later.encode()
    assert setup.run_at(12).forecast_published
    assert isinstance(broker.published[-1][1], OfficialForecast)
    assert broker.published[-1][1].days[0].max_wbgt == 34.0


def test_a_forecast_the_broker_did_not_take_is_given_again_on_the_next_pass(
    setup: Setup,
) -> None:
    broker = Broker(refuse=True)
    setup.importer.set_forecast = OfficialForecastPublisher(broker)
    start = datetime(2026, 8, 7, 3, tzinfo=JST)
    setup.files.files[forecast_path(YOKOHAMA)] = forecast_csv(YOKOHAMA, start, [300]).encode()
    failed = setup.run_at(8)
    assert failed.forecast is not None
    assert not failed.forecast_published
    assert "did not confirm" in failed.forecast_problem
    broker.refuse = False
    assert setup.run_at(9).forecast_published
    assert len(broker.published) == 1


def test_a_forecast_for_days_gone_by_is_not_given_to_stations(setup: Setup) -> None:
    broker = Broker()
    setup.importer.set_forecast = OfficialForecastPublisher(broker)
    start = datetime(2026, 8, 5, 3, tzinfo=JST)  # two days old: nothing for today or later
    setup.files.files[forecast_path(YOKOHAMA)] = forecast_csv(YOKOHAMA, start, [300]).encode()
    result = setup.run_at(8)
    assert result.forecast is not None
    assert not result.forecast_published
    assert broker.published == []


def test_an_official_alert_carries_the_days_forecast_maximum(setup: Setup) -> None:
    broker = Broker()
    setup.importer.set_alert = OfficialAlertPublisher(
        broker, kept_forecast_max(setup.memory, YOKOHAMA)
    )
    start = datetime(2026, 8, 7, 3, tzinfo=JST)
    forecast = forecast_csv(YOKOHAMA, start, [300, 320, 334, 310])
    setup.files.files.update(
        [(forecast_path(YOKOHAMA), forecast.encode()), alert_file(TODAY, 5, 1)]
    )
    assert setup.run_at(6).applied is AlertKind.HEATSTROKE_ALERT
    ((topic, content),) = broker.published
    assert topic == "kyusui/v1/all/alert"
    assert isinstance(content, HeatAlert)
    assert (content.alert, content.valid_on, content.forecast_wbgt) == (
        AlertKind.HEATSTROKE_ALERT,
        "2026-08-07",
        33.4,
    )
    assert content.message is not None
    assert content.message["ja"].endswith("\n出典：環境省熱中症予防情報サイト")
