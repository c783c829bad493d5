"""Giving stations the official word: the signed, retained heat alert in the Ministry's words,
and its forecast of the day's maximum WBGT with the source."""

from datetime import date, timedelta

from contract.content import AlertKind, HeatAlert
from contract.forecast import ForecastDay, OfficialForecast
from contract.topics import alert_topic, forecast_topic
from server.official.decide import DayFlags, end_of
from server.official.forecast import Forecast
from server.official.wording import ATTRIBUTION, official_message
from server.publish import ContentPublisher
from server.registry.db import now_ms


def official_alert(alert: AlertKind, official: DayFlags) -> HeatAlert:
    """For every station: the alert area is the whole ward's (a station ignores an alert whose
    ``area`` names a station area other than its own)."""
    stamp = now_ms()
    return HeatAlert(
        id="heat",
        version=stamp,  # newer than anything staff or a file published before
        issued_at=stamp,
        expires_at=int(end_of(official.day).timestamp() * 1000),
        alert=alert,
        valid_on=official.day.isoformat(),
        message=official_message(alert),
    )


class OfficialAlertPublisher:
    def __init__(self, publisher: ContentPublisher) -> None:
        self.publisher = publisher

    def __call__(self, alert: AlertKind, official: DayFlags) -> None:
        self.publisher.publish(alert_topic(), official_alert(alert, official))


def official_forecast(forecast: Forecast, today: date) -> OfficialForecast | None:
    """The day's maximum for today and each later day the file covers; None when it has no
    value for any of them (an old file, or only empty cells)."""
    days = sorted({(at - timedelta(seconds=1)).date() for at, _ in forecast.values})
    maxima = [(day, forecast.daily_max(day)) for day in days if day >= today]
    known = [ForecastDay(day=day.isoformat(), max_wbgt=m) for day, m in maxima if m is not None]
    if not known:
        return None
    stamp = now_ms()
    return OfficialForecast(
        id="official",
        version=stamp,
        issued_at=stamp,
        expires_at=int(end_of(date.fromisoformat(known[-1].day)).timestamp() * 1000),
        point=forecast.point,
        made_at=int(forecast.made_at.timestamp() * 1000),
        days=known,
        attribution=ATTRIBUTION,
    )


class OfficialForecastPublisher:
    """Publishes the forecast when what stations would show changes (a new forecast, or a
    new day), not on every pass: each publication is a write on every station's SD card."""

    def __init__(self, publisher: ContentPublisher) -> None:
        self.publisher = publisher
        self.last: tuple[object, ...] | None = None

    def __call__(self, forecast: Forecast, today: date) -> bool:
        """True when it was published now; raises PublishError when the broker did not
        confirm (the next pass tries again)."""
        content = official_forecast(forecast, today)
        if content is None:
            return False
        shown = (content.point, content.made_at, tuple(content.days))
        if shown == self.last:
            return False
        self.publisher.publish(forecast_topic(), content)
        self.last = shown
        return True
