"""Telling someone about an alert: a webhook (JSON POST) or nothing."""

import logging
import queue
import threading
from dataclasses import asdict, dataclass
from typing import Protocol

import httpx

from server.alerts.rules import TITLES_JA, StationAlertKind
from server.registry.models import Alert

log = logging.getLogger("kyusui.alerts")


@dataclass(frozen=True, slots=True)
class AlertEvent:
    event: str  # "raised" | "cleared"
    alert_id: int
    station_id: str
    kind: str
    severity: str
    title_ja: str
    detail: str
    raised_at: int
    cleared_at: int | None

    @classmethod
    def of(cls, event: str, alert: Alert) -> "AlertEvent":
        return cls(
            event=event,
            alert_id=alert.id,
            station_id=alert.station_id,
            kind=alert.kind,
            severity=alert.severity,
            title_ja=TITLES_JA[StationAlertKind(alert.kind)],
            detail=alert.detail,
            raised_at=alert.raised_at,
            cleared_at=alert.cleared_at,
        )


class Notifier(Protocol):
    def send(self, event: AlertEvent) -> None: ...

    def close(self) -> None: ...


class NoNotifier:
    def send(self, event: AlertEvent) -> None:
        pass

    def close(self) -> None:
        pass


class WebhookNotifier:
    """POSTs each event as JSON from a background thread, retrying a few times.

    A receiver that stays down loses no alert state (that lives in the registry), only the
    push; failures are logged and counted in ``failed``.
    """

    def __init__(self, url: str, attempts: int = 4, timeout_s: float = 5.0) -> None:
        self.url = url
        self.attempts = attempts
        self.sent = 0
        self.failed = 0
        self._queue: queue.Queue[AlertEvent | None] = queue.Queue(maxsize=10_000)
        self._client = httpx.Client(timeout=timeout_s)
        self._thread = threading.Thread(target=self._run, name="webhook", daemon=True)
        self._thread.start()

    def send(self, event: AlertEvent) -> None:
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            self.failed += 1
            log.error("webhook queue full; dropped %s alert %s", event.event, event.alert_id)

    def _post(self, event: AlertEvent) -> None:
        delay = 0.5
        for attempt in range(1, self.attempts + 1):
            try:
                self._client.post(self.url, json=asdict(event)).raise_for_status()
                self.sent += 1
                return
            except httpx.HTTPError as exc:
                log.warning("webhook attempt %d/%d failed: %s", attempt, self.attempts, exc)
                if attempt < self.attempts:
                    threading.Event().wait(delay)
                    delay *= 2
        self.failed += 1
        log.error("webhook gave up on %s alert %s", event.event, event.alert_id)

    def _run(self) -> None:
        while (event := self._queue.get()) is not None:
            self._post(event)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)
        self._client.close()


def notifier_for(url: str) -> Notifier:
    return WebhookNotifier(url) if url else NoNotifier()
