"""The station agent: its parts wired together (the sensor, the files, the GPIO, the link)
and the main loop that drives them.

Only this loop's thread touches the agent's SQLite files. The network thread and the
GPIO callbacks queue what they have and wake it.
"""

import logging
import queue
import signal
import threading
import time
from types import FrameType
from typing import TYPE_CHECKING

from sdnotify import SystemdNotifier

from contract.codec import encode
from contract.messages import Reading, StationState, Status
from contract.topics import StationTopic, station_topic
from localstate import LocalState
from sensors.agentfiles import AgentStorage
from sensors.commands import CommandRunner
from sensors.content import ContentInbox, load_trusted_keys
from sensors.dht import DhtDevice
from sensors.diskspace import KIOSK_STATE
from sensors.gpio.parts import build_parts, given_or_fake
from sensors.health import HealthProbe
from sensors.healthreport import HealthReport
from sensors.inbound import Inbound
from sensors.measure import Measurer
from sensors.pictures import PictureStore
from sensors.settings import AgentSettings
from sensors.showing import Showing
from sensors.time.clock import Clock, SystemClock
from sensors.time.timekeeping import Synchronised, TimeKeeper
from sensors.uplink.link import Link
from sensors.uplink.mqtt import LinkConfig, MqttLink
from sensors.uplink.outbox import Outbox
from sensors.uplink.outgoing import Outgoing

if TYPE_CHECKING:  # gpiozero is loaded only when a part is configured
    from gpiozero.pins import Factory

log = logging.getLogger("kyusui.agent")
VERSION = "0.2.0"
# The loop pings systemd at least this often; the unit's WatchdogSec is several times more.
WATCHDOG_PING_S = 10.0


class Agent:
    def __init__(
        self,
        settings: AgentSettings,
        sensor: DhtDevice | None = None,
        clock: Clock | None = None,
        pin_factory: "Factory | None" = None,
        notifier: SystemdNotifier | None = None,
        link: Link | None = None,
    ) -> None:
        s = self.settings = settings
        self.clock = clock or SystemClock(trust_wall_clock=s.clock_check == "trust")
        self.notifier = notifier or SystemdNotifier()
        if self.notifier.socket is not None:  # a full queue drops a ping; it never blocks the loop
            self.notifier.socket.setblocking(False)
        self.stopping = threading.Event()
        self.wake = threading.Event()
        self.unstored = 0  # readings the outbox could not take (disk full)
        self.storage = AgentStorage(s, log)
        self.disk, self.local, db = self.storage.disk, self.storage.local, self.storage.db
        self.session, self.files_rebuilt = self.storage.session, self.storage.rebuilt
        self.outbox = Outbox(db.conn, s.outbox_capacity)
        self.inbox = ContentInbox(
            db.conn, load_trusted_keys(s.content_keys_file), self.clock.wall_ms, s.area
        )
        self.pictures = PictureStore(s.state_dir)
        self.time = TimeKeeper(self.clock, int(s.clock_jump_s * 1000))

        device = given_or_fake(s, sensor)
        self.motions: queue.SimpleQueue[int] = queue.SimpleQueue()
        self.parts = build_parts(
            s, pin_factory, device, self._on_motion, lambda: self._identify(10.0), self.stopping
        )
        self.measurer = Measurer(s, device, self.parts.power, self.time, self.stopping.wait)
        self.sampler, self.tracker = self.measurer.sampler, self.measurer.tracker

        self.link: Link = link or MqttLink(LinkConfig.from_settings(s, VERSION))
        self.outgoing = Outgoing(s, self.outbox, self.local.state, self.link, self.session)
        commands = CommandRunner(
            s.state_dir,
            self._identify,
            s.restart_kiosk_command,
            self.clock.wall_ms,
            s.screenshot_timeout_s,
        )
        self.inbound = Inbound(
            s,
            self.local,
            self.inbox,
            self.pictures,
            commands,
            self.tracker,
            self.link,
            self.outgoing.confirmed,
        )
        self.showing = Showing(
            self.local, self.disk, self.parts, self.sampler, self.outbox, self.time, self.link
        )
        self.health = HealthReport(
            HealthProbe(s.state_dir),
            self.clock,
            VERSION,
            self.storage,
            self.outbox,
            self.sampler,
            self.time,
            self.inbox,
            self.pictures,
        )
        self.disk.guard(KIOSK_STATE, self._restore)
        self.storage.started()

    @property
    def state(self) -> LocalState:
        return self.local.state

    def _restore(self) -> None:
        self.inbound.restore()
        self.showing.starting()

    # --- callbacks from other threads ---------------------------------------------------
    def _on_motion(self) -> None:
        self.motions.put(self.clock.wall_ms())
        self.wake.set()

    def _identify(self, seconds: float) -> None:
        if self.parts.led is not None:
            self.parts.led.identify(seconds)
        log.info("identifying: blinking for %.0f s", seconds)

    # --- readings -----------------------------------------------------------------------
    def take_reading(self) -> Reading:
        reading, stamp = self.measurer.take()
        body = reading.model_dump(mode="json", exclude_none=True, exclude={"ts", "time"})
        if self.storage.check():
            self.outgoing.receipts.state = self.local.state
            self.disk.guard(KIOSK_STATE, self._restore)
        if not self.disk.guard("storing a reading in the outbox", self.outbox.add, stamp, body):
            self.unstored += 1  # a full or failing SD card: never stop measuring
            self.outgoing.direct.add(body | {"ts": stamp.ts, "time": stamp.source.value})
        self.showing.reading(reading, self.inbound.runtime, self.clock.wall_ms())
        return reading

    # --- the loop -----------------------------------------------------------------------
    def _drain(self) -> None:
        now = self.clock.monotonic_ms()  # the clock the pumps are driven by
        for mid, ok in self.link.acks():
            self.outgoing.acked(mid, ok, now)
        for message in self.link.messages():
            self.inbound.handle(message)
        while not self.motions.empty():
            self.state.set_presence(self.motions.get())

    def run(self) -> None:
        self.link.birth_ts = self.clock.wall_ms()
        self.link.start(self.session, self.wake)
        self.notifier.notify(f"READY=1\nSTATUS=session {self.session}")
        next_reading = next_health = time.monotonic()
        connections = 0
        try:
            while not self.stopping.is_set():
                self.wake.clear()
                self.disk.attempt("handling messages", self._drain)
                sync = self.time.check()
                if sync is not None:
                    self.disk.attempt("re-dating the outbox", self._redate, sync)
                now = time.monotonic()
                if now >= next_reading:
                    self.take_reading()
                    next_reading = max(next_reading + self.inbound.runtime.reading_interval_s, now)
                online = self.link.connected  # read first: it is set after the count
                if self.link.connections != connections:
                    connections = self.link.connections
                    self.outgoing.pump.reconnected()
                if online:
                    if now >= next_health:
                        self.link.publish(
                            station_topic(self.settings.station_id, StationTopic.HEALTH),
                            encode(self.health.message()),
                        )
                        next_health = now + self.inbound.runtime.health_interval_s
                    self.outgoing.send(self.clock.boot_id(), self.clock.monotonic_ms, self.disk)
                self.link.birth_ts = self.clock.wall_ms()
                self.showing.network()
                self.notifier.notify("WATCHDOG=1")
                timeout = min(next_reading, next_health) - time.monotonic()
                self.wake.wait(max(0.0, min(timeout, WATCHDOG_PING_S)))
        finally:
            self._stop()

    def _redate(self, sync: Synchronised) -> None:
        if redated := self.outbox.redate(sync):
            log.info("re-dated %d readings taken before the clock was set", redated)

    def _flush(self, timeout_s: float = 3.0) -> None:
        """Give messages sent a moment to be confirmed stored, so they leave the outbox."""
        deadline = time.monotonic() + timeout_s
        while self.link.connected and time.monotonic() < deadline:
            if not self.outgoing.outstanding:
                break
            self.outgoing.direct.send()
            self.wake.wait(0.05)
            self.wake.clear()
            self._drain()

    def _stop(self) -> None:
        self.notifier.notify("STOPPING=1")
        try:
            self._flush()
            offline = Status(
                state=StationState.OFFLINE,
                session=self.session,
                ts=self.clock.wall_ms(),
                clean=True,
            )
            self.link.stop(offline)
        finally:
            self.outbox.flush()
            self.inbound.commands.shutdown()
            self.sampler.close()
            self.parts.close()
            self.state.close()
            self.outbox.conn.close()

    def request_stop(self, signum: int = 0, frame: FrameType | None = None) -> None:
        self.stopping.set()
        self.wake.set()


def run(settings: AgentSettings) -> None:
    agent = Agent(settings)
    signal.signal(signal.SIGTERM, agent.request_stop)
    signal.signal(signal.SIGINT, agent.request_stop)
    log.info("agent %s starting, session %d: %s", VERSION, agent.session, settings.masked())
    agent.run()
