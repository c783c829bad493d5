"""Prometheus metrics of one ingest worker (served on ``ingest_metrics_port`` when set)."""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class IngestMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.messages = Counter(
            "kyusui_ingest_messages",
            "Messages stored and acknowledged, by kind",
            ["kind"],
            registry=self.registry,
        )
        self.readings = Counter(
            "kyusui_ingest_readings", "Readings written", registry=self.registry
        )
        self.quarantined = Counter(
            "kyusui_ingest_quarantined",
            "Messages quarantined, by reason",
            ["reason"],
            registry=self.registry,
        )
        self.write_seconds = Histogram(
            "kyusui_ingest_write_seconds",
            "Time to durably write one batch",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )
        self.lag_seconds = Gauge(
            "kyusui_ingest_lag_seconds",
            "Arrival time minus the newest reading's time, of the last batch",
            registry=self.registry,
        )
        self.store_failures = Counter(
            "kyusui_ingest_store_unavailable",
            "Batches not acknowledged because the store was unavailable",
            registry=self.registry,
        )
        self.paused = Gauge(
            "kyusui_ingest_paused",
            "1 while ingest waits for the store and acknowledges nothing",
            registry=self.registry,
        )
        self.online_stations = Gauge(
            "kyusui_ingest_online_stations",
            "Stations whose last status seen by this worker is online",
            registry=self.registry,
        )
        self.confirmations = Counter(
            "kyusui_ingest_confirmations",
            "Stored confirmations (…/stored) handed to the broker",
            registry=self.registry,
        )
        self.confirmations_failed = Counter(
            "kyusui_ingest_confirmations_failed",
            "Stored confirmations that could not be published (the station sends again)",
            registry=self.registry,
        )
