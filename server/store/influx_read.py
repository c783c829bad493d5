"""Reading InfluxDB: InfluxQL over ``/query`` and turning its answers into readings."""

from typing import Any

import httpx

from contract.levels import ordered_levels
from contract.messages import Reading
from server.settings import ServerSettings, TimeSeriesBackend
from server.store.base import StoreUnavailableError
from server.store.influx_write import QUALITY_CODES, TIME_CODES

_QUALITY = {v: k for k, v in QUALITY_CODES.items()}
_TIME = {v: k for k, v in TIME_CODES.items()}
_LEVELS = ordered_levels()
READING_FIELDS = "temp_c, rh, wbgt, level, quality, time_source"


def quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class InfluxQL:
    """Queries over ``/query``; answers as {series name or tag value: rows}."""

    def __init__(self, settings: ServerSettings) -> None:
        s = settings
        if s.timeseries_backend is TimeSeriesBackend.INFLUXDB:
            database, _, rp = s.influx_bucket.partition("/")
            self.rp = rp or "autogen"
            headers = {"Authorization": f"Token {s.influx_token.get_secret_value()}"}
            self.params: dict[str, str] = {"db": database}
        else:
            database, self.rp, headers = s.influx_database, s.influx_retention_policy, {}
            self.params = {"db": database}
            if s.influx_username:
                self.params |= {"u": s.influx_username, "p": s.influx_password.get_secret_value()}
        self.database = database
        self.client = httpx.Client(
            base_url=s.influx_url, headers=headers, timeout=s.influx_timeout_s
        )

    def query(self, q: str, method: str = "GET") -> list[dict[str, Any]]:
        params = self.params | {"q": q, "epoch": "ms"}
        try:
            answer = self.client.request(method, "/query", params=params)
        except httpx.HTTPError as exc:
            raise StoreUnavailableError(f"InfluxDB query failed: {exc!r}") from exc
        if answer.status_code != 200:
            raise StoreUnavailableError(f"InfluxDB query: {answer.status_code} {answer.text}")
        results: list[dict[str, Any]] = answer.json().get("results", [])
        for result in results:
            if "error" in result:
                raise StoreUnavailableError(f"InfluxDB query error: {result['error']}")
        return results

    def ping(self) -> None:
        try:
            answer = self.client.get("/ping")
        except httpx.HTTPError as exc:
            raise StoreUnavailableError(f"InfluxDB does not answer: {exc!r}") from exc
        if answer.status_code != 204:
            raise StoreUnavailableError(f"InfluxDB ping: {answer.status_code}")

    def close(self) -> None:
        self.client.close()


def rows_of(result: dict[str, Any]) -> list[tuple[dict[str, str], list[dict[str, Any]]]]:
    out = []
    for series in result.get("series", []):
        columns = series["columns"]
        out.append(
            (
                series.get("tags", {}),
                [dict(zip(columns, v, strict=True)) for v in series.get("values", [])],
            )
        )
    return out


def reading_of(row: dict[str, Any]) -> Reading:
    quality = _QUALITY.get(row.get("quality") or 0.0)
    level = row.get("level")
    return Reading.model_validate(
        {
            "ts": row["time"],
            "temp_c": row.get("temp_c"),
            "rh": row.get("rh"),
            "wbgt": row.get("wbgt"),
            "level": None if level is None else _LEVELS[int(level)],
            "quality": quality,
            "time": _TIME.get(row.get("time_source") or 0.0),
        }
    )
