"""``kyusui-official``: import the Ministry's heat data on its schedule until SIGTERM/SIGINT.

Run one per server: it sets the stations' heat alert from the official file.
"""

import argparse
import logging
import signal
import threading
import time
from datetime import datetime

from sdnotify import SystemdNotifier

from contract.content import AlertKind
from contract.jst import JST
from server.alerts.book import AlertBook
from server.alerts.notify import notifier_for
from server.logs import setup_logging
from server.official.checks import check_stations
from server.official.decide import DayFlags
from server.official.importer import Importer, Status, no_forecast
from server.official.publish import (
    OfficialAlertPublisher,
    OfficialForecastPublisher,
    kept_forecast_max,
)
from server.official.site import OfficialSite
from server.publish import publisher_for
from server.registry.db import Registry
from server.registry.official import RegistryMemory
from server.settings import ServerSettings
from server.store.base import StoreUnavailableError
from server.store.factory import open_store

log = logging.getLogger("kyusui.official")


def main() -> None:
    argparse.ArgumentParser(
        prog="kyusui-official",
        description="Import the Ministry of the Environment's WBGT forecast, observed values "
        "and 熱中症警戒アラート (settings: official_* in /etc/kyusui/server.toml; "
        "docs/official-data.md).",
    ).parse_args()
    setup_logging()
    settings = ServerSettings()
    publisher = publisher_for(settings)
    if publisher is None and settings.official_apply_alerts:
        raise SystemExit("official alerts need signing_key_file (KYUSUI_SERVER_SIGNING_KEY_FILE)")
    systemd = SystemdNotifier()
    registry = Registry(settings.registry_sqlalchemy_url)
    store = open_store(settings)
    notifier = notifier_for(settings.alert_webhook_url)
    book = AlertBook(registry, notifier)
    memory = RegistryMemory(registry)
    stop = threading.Event()
    site = OfficialSite(
        settings.official_base_url,
        timeout_s=settings.official_timeout_s,
        sleep=stop.wait,
        stop=stop,
    )
    importer = Importer(
        site,
        memory,
        OfficialAlertPublisher(publisher, kept_forecast_max(memory, settings.official_point))
        if publisher
        else _no_publisher,
        point=settings.official_point,
        area=settings.official_alert_area,
        apply_alerts=settings.official_apply_alerts,
        observed_points=tuple(p.number for p in settings.official_points),
        after_each_file=lambda: systemd.notify("WATCHDOG=1"),
        set_forecast=OfficialForecastPublisher(publisher) if publisher else no_forecast,
    )
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    systemd.notify("READY=1")
    while not stop.is_set():
        result = importer.run()
        failed = [r for r in result.records if r.status in (Status.REFUSED, Status.UNREACHABLE)]
        log.info(
            "official import",
            extra={
                "applied": result.applied and result.applied.value,
                "today_flag": result.today and int(result.today.flag),
                "tomorrow_flag": result.tomorrow and int(result.tomorrow.flag),
                "forecast_published": result.forecast_published,
                "forecast_problem": result.forecast_problem,
                "problems": [f"{r.path}: {r.reason}" for r in failed],
            },
        )
        try:
            check_stations(
                registry,
                store,
                memory,
                book,
                settings.official_points,
                datetime.now(JST),
                settings.official_check_days,
                settings.official_bias_threshold_c,
            )
        except StoreUnavailableError as exc:
            log.warning("stations not checked against official values: %s", exc)
        next_pass = time.monotonic() + settings.official_poll_s
        while not stop.wait(min(5.0, max(0.0, next_pass - time.monotonic()))):
            systemd.notify("WATCHDOG=1")
            if time.monotonic() >= next_pass:
                break
    systemd.notify("STOPPING=1")
    site.close()
    notifier.close()
    store.close()
    registry.close()


def _no_publisher(alert: AlertKind, official: DayFlags) -> None:
    raise RuntimeError("official_apply_alerts is off: no alert is published")


if __name__ == "__main__":
    main()
