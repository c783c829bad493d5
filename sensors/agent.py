"""The station agent's main loop: read, estimate, publish."""

import logging
import signal
import threading
import time
from types import FrameType

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from contract.codec import encode
from contract.messages import StationState, Status, Telemetry
from contract.topics import StationTopic, station_topic
from sensors.dht import DhtDevice, FakeDHT, open_device
from sensors.heat import LevelTracker
from sensors.measure import to_reading
from sensors.reader import read_once
from sensors.settings import AgentSettings
from sensors.simulation import SummerDay

log = logging.getLogger("kyusui.agent")
VERSION = "0.1.0"


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def next_session(settings: AgentSettings) -> int:
    """A number that grows at every agent start, kept in the state directory."""
    path = settings.state_dir / "session"
    try:
        previous = int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        previous = 0
    session = previous + 1
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(f"{session}\n")
    tmp.replace(path)
    return session


def make_sensor(settings: AgentSettings) -> DhtDevice:
    if settings.sensor == "fake":
        climate = SummerDay(seed=settings.simulation_seed)
        return FakeDHT(climate, random_failure_rate=settings.simulation_failure_rate)
    return open_device(settings.sensor, settings.sensor_pin)


class Agent:
    def __init__(self, settings: AgentSettings, sensor: DhtDevice | None = None) -> None:
        self.settings = settings
        self.sensor = sensor or make_sensor(settings)
        self.tracker = LevelTracker(settings.hysteresis_c)
        self.session = next_session(settings)
        self.seq = 0
        self.stopping = threading.Event()
        self.status_topic = station_topic(settings.station_id, StationTopic.STATUS)
        self.client = self._make_client()

    def _make_client(self) -> mqtt.Client:
        s = self.settings
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=s.station_id, protocol=mqtt.MQTTv5
        )
        client.username_pw_set(
            s.broker_username or s.station_id, s.broker_password.get_secret_value()
        )
        if s.broker_ca_file is not None:
            client.tls_set(ca_certs=str(s.broker_ca_file))
        will = Status(state=StationState.OFFLINE, session=self.session)
        client.will_set(self.status_topic, encode(will), qos=1, retain=True)
        client.on_connect = self._on_connect
        client.reconnect_delay_set(1, 30)
        return client

    def _on_connect(
        self,
        client: mqtt.Client,
        userdata: object,
        flags: mqtt.ConnectFlags,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if reason.is_failure:
            log.warning("broker refused the connection: %s", reason)
            return
        birth = Status(
            state=StationState.ONLINE,
            session=self.session,
            ts=now_ms(),
            version=VERSION,
            area=self.settings.area,
        )
        client.publish(self.status_topic, encode(birth), qos=1, retain=True)
        log.info("connected to %s:%s", self.settings.broker_host, self.settings.broker_port)

    def measure_and_publish(self) -> None:
        reading = to_reading(read_once(self.sensor), now_ms(), self.tracker)
        self.seq += 1
        message = Telemetry(session=self.session, seq=self.seq, readings=[reading])
        topic = station_topic(self.settings.station_id, StationTopic.TELEMETRY)
        self.client.publish(topic, encode(message), qos=1)

    def run(self) -> None:
        s = self.settings
        self.client.connect_async(s.broker_host, s.broker_port, keepalive=s.broker_keepalive_s)
        self.client.loop_start()
        try:
            while not self.stopping.is_set():
                started = time.monotonic()
                self.measure_and_publish()
                self.stopping.wait(max(0.0, s.reading_interval_s - (time.monotonic() - started)))
        finally:
            self._stop()

    def _stop(self) -> None:
        offline = Status(state=StationState.OFFLINE, session=self.session, ts=now_ms(), clean=True)
        info = self.client.publish(self.status_topic, encode(offline), qos=1, retain=True)
        if self.client.is_connected():
            info.wait_for_publish(timeout=5)
        self.client.disconnect()
        self.client.loop_stop()
        self.sensor.exit()

    def request_stop(self, signum: int = 0, frame: FrameType | None = None) -> None:
        self.stopping.set()


def run(settings: AgentSettings) -> None:
    agent = Agent(settings)
    signal.signal(signal.SIGTERM, agent.request_stop)
    signal.signal(signal.SIGINT, agent.request_stop)
    log.info("agent starting, session %d: %s", agent.session, settings.masked())
    agent.run()
