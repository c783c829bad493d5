"""``kyusui-ingest``: run one ingest worker until SIGTERM/SIGINT."""

import logging
import signal
import threading

from prometheus_client import start_http_server

from contract.cli import parse_service_args
from server.alerts.book import AlertBook
from server.alerts.notify import notifier_for
from server.alerts.rules import Thresholds
from server.ingest.handler import MessageHandler
from server.ingest.metrics import IngestMetrics
from server.ingest.worker import IngestWorker
from server.logs import setup_logging
from server.registry.db import Registry
from server.settings import ServerSettings
from server.store.factory import open_store


def main(argv: list[str] | None = None) -> None:
    parse_service_args(
        "kyusui-ingest",
        "Run one ingest worker: MQTT shared subscription into the store, registry and alerts.",
        "Settings: /etc/kyusui/server.toml (or KYUSUI_SERVER_CONFIG), then KYUSUI_SERVER_*.",
        argv,
    )
    setup_logging()
    settings = ServerSettings()
    log = logging.getLogger("kyusui.ingest")
    log.info("ingest starting", extra={"settings": settings.masked()})
    store = open_store(settings)
    registry = Registry(settings.registry_sqlalchemy_url)
    notifier = notifier_for(settings.alert_webhook_url)
    metrics = IngestMetrics()
    if settings.ingest_metrics_port:
        start_http_server(settings.ingest_metrics_port, "127.0.0.1", registry=metrics.registry)
    handler = MessageHandler(
        store,
        registry,
        AlertBook(registry, notifier),
        metrics,
        Thresholds(
            settings.alert_disk_free_mb, settings.alert_outbox_depth, settings.alert_help_every_s
        ),
    )
    worker = IngestWorker(settings, handler)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    worker.start()
    stop.wait()
    worker.stop()
    notifier.close()
    store.close()
    registry.close()


if __name__ == "__main__":
    main()
