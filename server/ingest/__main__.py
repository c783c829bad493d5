"""``kyusui-ingest``: run one ingest worker until SIGTERM/SIGINT."""

import logging
import signal
import threading

from server.ingest.handler import MessageHandler
from server.ingest.worker import IngestWorker
from server.settings import ServerSettings
from server.store.sqlite import SqliteTimeSeries


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = ServerSettings()
    store = SqliteTimeSeries(settings.timeseries_path)
    worker = IngestWorker(settings, MessageHandler(store))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    logging.getLogger("kyusui.ingest").info("ingest starting: %s", settings.masked())
    worker.start()
    stop.wait()
    worker.stop()
    store.close()


if __name__ == "__main__":
    main()
