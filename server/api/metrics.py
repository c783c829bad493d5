"""``GET /metrics`` of the API process (Prometheus text format, reader token required)."""

import time
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    generate_latest,
)
from sqlalchemy import func, select

from server.api import fleet_table
from server.api.deps import Reader, RegistryDep, SettingsDep
from server.registry.models import Alert, QuarantinedMessage

router = APIRouter(tags=["operations"])


class ApiMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "kyusui_api_requests",
            "API requests by route and status",
            ["route", "status"],
            registry=self.registry,
        )
        self.stations = Gauge(
            "kyusui_stations", "Stations known to the time series", registry=self.registry
        )
        self.online = Gauge(
            "kyusui_stations_online", "Stations online (connected stations)", registry=self.registry
        )
        self.quarantined = Gauge(
            "kyusui_quarantined_messages", "Messages in quarantine", registry=self.registry
        )
        self.open_alerts = Gauge("kyusui_alerts_open", "Open alerts", registry=self.registry)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(request: Request, _: Reader, registry: RegistryDep, settings: SettingsDep) -> Response:
    m: ApiMetrics = request.app.state.metrics
    now = time.time_ns() // 1_000_000
    with registry.session() as session:
        stations, online = fleet_table.counts(session, now, settings.offline_after_s)
        m.stations.set(stations)
        m.online.set(online)
        count: Any = session.scalar(select(func.count()).select_from(QuarantinedMessage))
        m.quarantined.set(count or 0)
        count = session.scalar(
            select(func.count()).select_from(Alert).where(Alert.cleared_at.is_(None))
        )
        m.open_alerts.set(count or 0)
    return Response(generate_latest(m.registry), media_type=CONTENT_TYPE_LATEST)
