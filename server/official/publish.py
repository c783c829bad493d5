"""Giving stations the official word: the signed, retained heat alert in the Ministry's words,
and its forecast of the day's maximum WBGT with the source."""

from collections.abc import Callable
from datetime import date, timedelta

from contract.content import AlertKind, HeatAlert
from contract.forecast import ForecastDay, OfficialForecast
from contract.topics import alert_topic, forecast_topic
from server.official.decide import DayFlags, end_of
from server.official.errors import OfficialDataError
from server.official.forecast import Forecast, parse_forecast
from server.official.importer import OfficialMemory
from server.official.site import forecast_path
from server.official.wording import ATTRIBUTION, official_message
from server.publish import ContentPublisher
from server.registry.db import now_ms


def official_alert(
    alert: AlertKind, official: DayFlags, forecast_max: float | None = None
) -> HeatAlert:
    """For every station: the alert area is the whole ward's (a station ignores an alert whose
    ``area`` names a station area other than its own). ``forecast_max``: the day's official
    forecast maximum, which the alert band shows (「予想される暑さ指数 33」)."""
    stamp = now_ms()
    return HeatAlert(
        id="heat",
        version=stamp,  # newer than anything staff or a file published before
        issued_at=stamp,
        expires_at=int(end_of(official.day).timestamp() * 1000),
        alert=alert,
        valid_on=official.day.isoformat(),
        forecast_wbgt=forecast_max
        if forecast_max is not None and 0 <= forecast_max <= 60
        else None,
        message=official_message(alert),
    )


def no_forecast_max(day: date) -> float | None:
    return None


class OfficialAlertPublisher:
    """``forecast_max`` reads the day's maximum from the forecast the importer kept."""

    def __init__(
        self,
        publisher: ContentPublisher,
        forecast_max: Callable[[date], float | None] = no_forecast_max,
    ) -> None:
        self.publisher = publisher
        self.forecast_max = forecast_max

    def __call__(self, alert: AlertKind, official: DayFlags) -> None:
        content = official_alert(alert, official, self.forecast_max(official.day))
        self.publisher.publish(alert_topic(), content)


def kept_forecast_max(memory: OfficialMemory, point: str) -> Callable[[date], float | None]:
    """The day's maximum in the forecast file last kept for ``point``, if any."""

    def read(day: date) -> float | None:
        body = memory.good_body(forecast_path(point))
        if body is None:
            return None
        try:
            return parse_forecast(body, point).daily_max(day)
        except OfficialDataError:
            return None  # the point setting changed since this copy was kept

    return read


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
