"""``kyusui-timeseries init``: prepare the configured InfluxDB (see docs/timeseries.md)."""

import argparse
import logging
import sys

from server.settings import ServerSettings, TimeSeriesBackend
from server.store.base import StoreUnavailableError
from server.store.influx_init import init_influx


def main() -> None:
    parser = argparse.ArgumentParser(description="Kyusui time-series administration.")
    parser.add_argument("command", choices=["init"])
    parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    settings = ServerSettings()
    if settings.timeseries_backend is TimeSeriesBackend.SQLITE:
        print("timeseries_backend is sqlite: nothing to set up (the file is created on use).")
        return
    try:
        for step in init_influx(settings):
            print(step)
    except StoreUnavailableError as exc:
        sys.exit(f"kyusui-timeseries: {exc}")


if __name__ == "__main__":
    main()
