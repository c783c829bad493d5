"""Giving stations the official alert: the signed, retained heat alert, in the Ministry's words."""

from contract.content import AlertKind, HeatAlert
from contract.topics import alert_topic
from server.official.decide import DayFlags, end_of
from server.official.wording import MESSAGES
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
        message=MESSAGES.get(alert),
    )


class OfficialAlertPublisher:
    def __init__(self, publisher: ContentPublisher) -> None:
        self.publisher = publisher

    def __call__(self, alert: AlertKind, official: DayFlags) -> None:
        self.publisher.publish(alert_topic(), official_alert(alert, official))
