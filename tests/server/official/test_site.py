"""Fetching from the Ministry's site, against a local HTTP server with real sockets."""

import threading
from datetime import date, datetime

import pytest

from contract.jst import JST
from server.official.site import (
    USER_AGENT,
    Fetched,
    Missing,
    NotModified,
    OfficialSite,
    Unreachable,
    alert_candidates,
    alert_path,
    forecast_path,
)
from tests.server.official.fileserver import SiteFiles, official_site

FORECAST = forecast_path("46106")


def site_for(base_url: str, waits: list[float], timeout_s: float = 5.0) -> OfficialSite:
    return OfficialSite(base_url, timeout_s=timeout_s, attempts=3, sleep=waits.append)


def test_a_file_is_fetched_once_and_then_only_asked_whether_it_changed() -> None:
    files = SiteFiles(files={FORECAST: b",,2026080703\n46106,2026/08/07 20:25,250\n"})
    with official_site(files) as url:
        site = site_for(url, [])
        first = site.get(FORECAST)
        assert isinstance(first, Fetched)
        assert first.body == files.files[FORECAST]
        assert first.validators.etag
        assert isinstance(site.get(FORECAST, first.validators), NotModified)
    sent = files.requests[1][1]
    assert sent["If-None-Match"] == first.validators.etag
    assert sent["If-Modified-Since"] == first.validators.last_modified
    assert sent["User-Agent"] == USER_AGENT


def test_out_of_season_a_404_is_an_answer_and_is_not_retried() -> None:
    files = SiteFiles()
    waits: list[float] = []
    with official_site(files) as url:
        assert isinstance(site_for(url, waits).get(FORECAST), Missing)
    assert len(files.requests) == 1
    assert waits == []


def test_a_server_error_is_retried_with_growing_pauses() -> None:
    files = SiteFiles(files={FORECAST: b"x"}, failures={FORECAST: [503, 500]})
    waits: list[float] = []
    with official_site(files) as url:
        assert isinstance(site_for(url, waits).get(FORECAST), Fetched)
    assert waits == [2.0, 4.0]


@pytest.mark.timeout(30)
def test_a_server_that_hangs_is_given_up_on_with_a_reason() -> None:
    files = SiteFiles(hang={FORECAST})
    waits: list[float] = []
    with official_site(files) as url:
        outcome = site_for(url, waits, timeout_s=0.3).get(FORECAST)
    assert isinstance(outcome, Unreachable)
    assert "Timeout" in outcome.reason
    assert "3 tries" in outcome.reason
    assert len(waits) == 2


def test_a_refusal_is_not_asked_again() -> None:
    files = SiteFiles(files={FORECAST: b"x"}, failures={FORECAST: [403]})
    with official_site(files) as url:
        outcome = site_for(url, []).get(FORECAST)
    assert isinstance(outcome, Unreachable)
    assert "HTTP 403" in outcome.reason
    assert len(files.requests) == 1


def test_an_unreachable_host_is_reported() -> None:
    outcome = OfficialSite("http://127.0.0.1:9/", attempts=2, sleep=lambda _: None).get(FORECAST)
    assert isinstance(outcome, Unreachable)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 8, 7, 4, 0), [(date(2026, 8, 6), 17)]),
        (datetime(2026, 8, 7, 4, 30), [(date(2026, 8, 7), 5), (date(2026, 8, 6), 17)]),
        (
            datetime(2026, 8, 7, 16, 45),
            [(date(2026, 8, 7), h) for h in (17, 14, 10, 5)] + [(date(2026, 8, 6), 17)],
        ),
        (
            datetime(2026, 8, 7, 12, 0),
            [(date(2026, 8, 7), 10), (date(2026, 8, 7), 5), (date(2026, 8, 6), 17)],
        ),
    ],
)
def test_the_newest_alert_file_is_tried_first_then_yesterdays_17_00(
    now: datetime, expected: list[tuple[date, int]]
) -> None:
    assert alert_candidates(now.replace(tzinfo=JST)) == expected
    assert alert_path(*expected[0]).startswith(f"alert/dl/{expected[0][0]:%Y}/alert_")


def test_a_service_told_to_stop_asks_for_no_more_files_and_waits_out_no_back_off() -> None:
    files = SiteFiles(files={FORECAST: b"x"}, failures={FORECAST: [503, 503, 503]})
    stop = threading.Event()
    waits: list[float] = []

    def stop_during_the_first_back_off(seconds: float) -> None:
        waits.append(seconds)
        stop.set()

    with official_site(files) as url:
        site = OfficialSite(url, attempts=3, sleep=stop_during_the_first_back_off, stop=stop)
        outcome = site.get(FORECAST)
        assert isinstance(outcome, Unreachable)
        assert "stopping" in outcome.reason
        assert isinstance(site.get(FORECAST), Unreachable)
    assert len(files.requests) == 1
    assert waits == [2.0]
