"""Fetching the Ministry's files over HTTP: timeouts, retries with back-off, conditional requests.

A 404 is the normal answer out of season (late October to April) and for a file whose issue
time has not come; it is an answer, not a failure.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import httpx

log = logging.getLogger("kyusui.official")

USER_AGENT = "kyusui-official-import/1 (ward heat-stress stations; +docs/official-data.md)"


@dataclass(frozen=True)
class Validators:
    """What the server said about the last copy, to ask only for a newer one."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Fetched:
    body: bytes
    validators: Validators


@dataclass(frozen=True)
class NotModified:
    pass


@dataclass(frozen=True)
class Missing:
    """404: out of season, or not published yet."""


@dataclass(frozen=True)
class Unreachable:
    reason: str  # a sentence for staff: what failed, after how many tries


Outcome = Fetched | NotModified | Missing | Unreachable


def forecast_path(point: str) -> str:
    return f"prev15WG/dl/yohou_{point}.csv"


def observed_path(point: str, month: date) -> str:
    return f"est15WG/dl/wbgt_{point}_{month:%Y%m}.csv"


def alert_path(day: date, hour: int) -> str:
    return f"alert/dl/{day:%Y}/alert_{day:%Y%m%d}_{hour:02d}.csv"


class OfficialSite:
    """The site at ``base_url``; ``sleep`` is handed in so tests never wait."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float = 10.0,
        attempts: int = 3,
        backoff_s: float = 2.0,
        client: httpx.Client | None = None,
        sleep: Callable[[float], object] = time.sleep,
        stop: threading.Event | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.attempts = attempts
        self.backoff_s = backoff_s
        self._sleep = sleep
        # Once the service is told to stop, no file is asked for again and no back-off is
        # waited out: systemd gives a stopping unit only a few seconds.
        self._stop = stop or threading.Event()
        self._client = client or httpx.Client(
            timeout=httpx.Timeout(timeout_s),
            headers={"User-Agent": USER_AGENT},
            follow_redirects=True,
        )

    def close(self) -> None:
        self._client.close()

    def get(self, path: str, last: Validators | None = None) -> Outcome:
        url = self.base_url + path
        headers = {}
        if last is not None and last.etag:
            headers["If-None-Match"] = last.etag
        if last is not None and last.last_modified:
            headers["If-Modified-Since"] = last.last_modified
        problem = ""
        attempt = 0
        for attempt in range(1, self.attempts + 1):
            if self._stop.is_set():
                problem = "the service is stopping"
                break
            try:
                response = self._client.get(url, headers=headers)
            except httpx.HTTPError as exc:
                problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            else:
                if response.status_code == 304:
                    return NotModified()
                if response.status_code == 404:
                    return Missing()
                if response.status_code == 200:
                    return Fetched(
                        response.content,
                        Validators(
                            response.headers.get("ETag"), response.headers.get("Last-Modified")
                        ),
                    )
                problem = f"HTTP {response.status_code}"
                if response.status_code < 500 and response.status_code != 429:
                    break  # asking again will not change a 4xx
            if attempt < self.attempts and not self._stop.is_set():
                self._sleep(self.backoff_s * 2 ** (attempt - 1))
        log.warning("official data unreachable", extra={"url": url, "problem": problem})
        return Unreachable(f"{url}: {problem} ({attempt} tries)")


def alert_candidates(now: datetime) -> list[tuple[date, int]]:
    """Alert files that may exist at ``now`` (JST), newest first: today's issue times that
    have come (a file appears shortly before its hour), then yesterday's 17:00."""
    issue_hours = (17, 14, 10, 5)
    today = now.date()
    came = [(today, h) for h in issue_hours if (now.hour, now.minute) >= (h - 1, 30)]
    yesterday = date.fromordinal(today.toordinal() - 1)
    return [*came, (yesterday, 17)]
