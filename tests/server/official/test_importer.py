"""One import pass against a local HTTP server serving files in the Ministry's formats."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import pytest

from contract.content import AlertKind
from server.api.schemas import JST
from server.official.decide import Applied, DayFlags
from server.official.importer import FileKind, Importer, Pass, Status
from server.official.site import OfficialSite, alert_path, forecast_path, observed_path
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
