"""The station agent's main loop: glue between the sensor, the files, the GPIO and MQTT.

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
from contract.content import (
    AnyContent,
    Emergency,
    HeatAlert,
    Notice,
    PlaceList,
    StationConfig,
)
from contract.errors import ContractError
from contract.forecast import OfficialForecast
from contract.jst import in_window
from contract.messages import Health, Reading, StationState, Status
from contract.topics import (
    IMAGE,
    ContentKind,
    ParsedTopic,
    StationTopic,
    parse_topic,
    station_topic,
)
from localstate import ImageView, Site
from sensors.agentfiles import open_agent_files, reopen_local_state
from sensors.commands import CommandRunner
from sensors.content import (
    ContentInbox,
    alert_view,
    emergency_view,
    forecast_view,
    image_view,
    load_trusted_keys,
    newest_forecast,
    notice_view,
    places_view,
)
from sensors.dht import DhtDevice
from sensors.diskspace import KIOSK_STATE, DiskState
from sensors.gpio.parts import build_parts, given_or_fake, sensor_opener
from sensors.gpio.patterns import pattern_for
from sensors.gpio.powercycle import PowerCyclePolicy, sample_and_cycle
from sensors.health import HealthProbe
from sensors.healthreport import health_message
from sensors.heat import LevelTracker
from sensors.measure import to_reading, view_of
from sensors.pictures import PictureStore
from sensors.reader import ReadResult
from sensors.runtime import RuntimeConfig
from sensors.sampling import Sampler, SamplingRules
from sensors.settings import AgentSettings
from sensors.time.clock import Clock, SystemClock
from sensors.time.session import Session
from sensors.time.timekeeping import Synchronised, TimeKeeper
from sensors.uplink.direct import DirectSender
from sensors.uplink.link import Incoming, LinkConfig, MqttLink
from sensors.uplink.outbox import Outbox
from sensors.uplink.pump import OutboxPump
from sensors.uplink.receipts import ReceiptPump

if TYPE_CHECKING:  # gpiozero is loaded only when a part is configured
    from gpiozero.pins import Factory

log = logging.getLogger("kyusui.agent")
VERSION = "0.2.0"
SAVE_SESSION = "saving the session number"
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
    ) -> None:
        s = self.settings = settings
        self.clock = clock or SystemClock(trust_wall_clock=s.clock_check == "trust")
        self.notifier = notifier or SystemdNotifier()
        if self.notifier.socket is not None:  # a full queue drops a ping; it never blocks the loop
            self.notifier.socket.setblocking(False)
        self.stopping = threading.Event()
        self.wake = threading.Event()
        self.disk = DiskState(s.state_dir, s.disk_reserve_kib * 1024, log)
        self.session_file = Session(s.state_dir)
        self.session = self.session_file.number
        self.disk.attempt(SAVE_SESSION, self.session_file.save)
        self.runtime = RuntimeConfig.from_settings(s)
        self.unstored = 0  # readings the outbox could not take (disk full)

        files = open_agent_files(s.state_dir, self.disk)
        db, local = files.db, files.local
        self.state_in_memory = "station.sqlite" in files.in_memory
        self.files_rebuilt = (db.quarantined is not None) + (local.quarantined is not None)
        self.outbox = Outbox(db.conn, s.outbox_capacity)
        self.state = local.state
        self.inbox = ContentInbox(
            db.conn, load_trusted_keys(s.content_keys_file), self.clock.wall_ms, s.area
        )
        self.pictures = PictureStore(s.state_dir)
        self.time = TimeKeeper(self.clock, int(s.clock_jump_s * 1000))
        self.tracker = LevelTracker(s.hysteresis_c)

        device = given_or_fake(s, sensor)
        self.motions: queue.SimpleQueue[int] = queue.SimpleQueue()
        self.parts = build_parts(
            s, pin_factory, device, self._on_motion, self._identify_now, self.stopping
        )
        self.sampler = Sampler(
            sensor_opener(s, device),
            SamplingRules(
                attempts=s.sensor_attempts,
                min_gap_s=s.sensor_min_gap_s,
                stuck_after_s=s.sensor_stuck_after_s,
            ),
            wait=self.stopping.wait,
        )
        self.power_policy = PowerCyclePolicy(s.power_cycle_after_failures, s.power_cycle_backoff_s)
        self.health = HealthProbe(s.state_dir)

        self.link = MqttLink(LinkConfig.from_settings(s, VERSION), self.session, self.wake)
        telemetry_topic = station_topic(s.station_id, StationTopic.TELEMETRY)
        self.pump = OutboxPump(
            self.outbox,
            lambda payload: self.link.publish(telemetry_topic, payload),
            self.session,
            batch_size=s.publish_batch,
            unsynced_hold_ms=int(s.unsynced_hold_s * 1000),
            resend_after_ms=int(s.unconfirmed_resend_s * 1000),
        )
        self.direct = DirectSender(self.pump.encode_readings, self.pump.publish)
        receipts_topic = station_topic(s.station_id, StationTopic.RECEIPTS)
        self.receipts = ReceiptPump(
            self.state,
            lambda payload: self.link.publish(receipts_topic, payload),
            self.session,
            resend_after_ms=int(s.unconfirmed_resend_s * 1000),
        )
        self.commands = CommandRunner(
            s.state_dir,
            self._identify,
            s.restart_kiosk_command,
            self.clock.wall_ms,
            s.screenshot_timeout_s,
        )
        self._network_shown: str | None = None
        self.disk.guard(KIOSK_STATE, self._restore_content)
        if not self.disk.full:
            self.disk.reserve.take()

    # --- start-up -----------------------------------------------------------------------
    def _restore_content(self) -> None:
        s = self.settings
        self.state.set_station(s.station_id, s.name_ja, s.name_en, s.area, s.names)
        self.state.set_site(Site(s.latitude, s.longitude, s.address))
        self.tracker.hysteresis_c = self.runtime.hysteresis_c
        self.state.set_display(self.runtime.display())
        # What the agent verified before, also into a rebuilt file.
        for kind in (ContentKind.PLACES, ContentKind.CONFIG, ContentKind.EMERGENCY):
            for content in self.inbox.stored(kind):
                self._apply(content)
        self.state.set_forecast(newest_forecast(self.inbox))
        self.state.write_agent_status(
            "starting", "offline", outbox_depth=self.outbox.depth, clock_synced=False
        )

    # --- callbacks from other threads ---------------------------------------------------
    def _on_motion(self) -> None:
        self.motions.put(self.clock.wall_ms())
        self.wake.set()

    def _identify(self, seconds: float) -> None:
        if self.parts.led is not None:
            self.parts.led.identify(seconds)
        log.info("identifying: blinking for %.0f s", seconds)

    def _identify_now(self) -> None:
        self._identify(10.0)

    # --- readings -----------------------------------------------------------------------
    def take_reading(self) -> Reading:
        result = sample_and_cycle(self.sampler, self.power_policy, self.parts.power)
        stamp = self.time.stamp()
        try:
            reading = to_reading(result, stamp.ts, self.tracker, stamp.source)
        except ValueError as exc:  # no estimate for these values: say so, keep measuring
            log.warning("no WBGT for %s: %s", result, exc)
            reading = to_reading(
                ReadResult(error=result.error), stamp.ts, self.tracker, stamp.source
            )
        body = reading.model_dump(mode="json", exclude_none=True, exclude={"ts", "time"})
        self._check_disk()
        if not self.disk.guard("storing a reading in the outbox", self.outbox.add, stamp, body):
            self.unstored += 1  # a full or failing SD card: never stop measuring
            self.direct.add(body | {"ts": stamp.ts, "time": stamp.source.value})
        self.disk.guard(KIOSK_STATE, self._show, reading)
        if self.parts.beacon is not None:
            quiet = in_window(*self.runtime.quiet_hours, self.clock.wall_ms())
            level = reading.level
            self.parts.beacon.set(
                level is not None and level.rank >= self.runtime.beacon_level.rank and not quiet
            )
        return reading

    def _show(self, reading: Reading) -> None:
        if self.disk.full:
            self.state.checkpoint()
        with self.state.transaction():  # one commit for the kiosk's view of this reading
            self.state.write_reading(view_of(reading), history=not self.disk.full)
            self._write_status()

    # --- a full disk --------------------------------------------------------------------
    def _check_disk(self) -> None:
        """Once a reading: back to normal when the disk has room again."""
        if self.disk.full and not self.disk.recovered():
            return
        if not self.session_file.saved:
            self.disk.attempt(SAVE_SESSION, self.session_file.save)
        if self.state_in_memory and (local := reopen_local_state(self.disk)):
            self.state.close()
            self.state = self.receipts.state = local
            self.state_in_memory = False
            self.disk.guard(KIOSK_STATE, self._restore_content)

    def _write_status(self) -> None:
        network = "online" if self.link.connected else "offline"
        self._network_shown = network
        self.state.write_agent_status(
            self.sampler.state, network, self.sampler.detail, self.outbox.depth, self.time.synced
        )
        if self.parts.led is not None:
            self.parts.led.show(pattern_for(self.sampler.state, network == "online"))

    # --- health -------------------------------------------------------------------------
    def health_message(self) -> Health:
        return health_message(self, VERSION)

    # --- content and commands -----------------------------------------------------------
    def handle(self, message: Incoming) -> None:
        try:
            where = parse_topic(message.topic)
        except ContractError as exc:
            log.warning("ignoring a message on %s: %s", message.topic, exc.detail)
            return
        if where.kind == "cmd":
            self._command(message)
            return
        if where.kind == "stored":
            self.receipts.stored(self.pump.confirmation(message.payload))
            return
        if where.kind == IMAGE:
            self._picture(where, message.payload)
            return
        content = self.inbox.accept(where, message.topic, message.payload)
        if content is not None:
            self._apply(content)

    def _apply(self, content: AnyContent) -> None:
        """Verified content into the local state and the agent's own settings."""
        if isinstance(content, Notice):
            if content.withdrawn:
                self.state.remove_notice(content.id)
            else:
                self.state.upsert_notice(notice_view(content))
                image = image_view(content)
                if image is not None:
                    self.pictures.notice_names(content.id, image)
            self.pictures.keep_only(self._pictures_named())
        elif isinstance(content, HeatAlert):
            self.state.set_alert(alert_view(content))
        elif isinstance(content, PlaceList):
            self.state.set_places(places_view(content))
        elif isinstance(content, Emergency):
            if content.withdrawn:
                self.state.remove_emergency(content.id)
            else:
                self.state.set_emergency(emergency_view(content))
        elif isinstance(content, OfficialForecast):
            self.state.set_forecast(forecast_view(content))
        elif isinstance(content, StationConfig):
            self.runtime = self.runtime.apply(content)
            self.tracker.hysteresis_c = self.runtime.hysteresis_c
            self.state.set_display(self.runtime.display())
            log.info("configuration %s v%d applied: %s", content.id, content.version, self.runtime)

    def _notices(self) -> list[Notice]:
        held = self.inbox.stored(ContentKind.NOTICE)
        return [n for n in held if isinstance(n, Notice) and not n.withdrawn]

    def _pictures_named(self) -> list[ImageView]:
        return [i for i in (image_view(n) for n in self._notices()) if i is not None]

    def _picture(self, where: ParsedTopic, payload: bytes) -> None:
        """A notice's picture: stored only if it is what the signed notice names."""
        wanted = next((image_view(n) for n in self._notices() if n.id == where.notice_id), None)
        self.pictures.received(where.notice_id or "", payload, wanted)

    def _command(self, message: Incoming) -> None:
        topic = station_topic(self.settings.station_id, StationTopic.CMD_RESULT)
        self.commands.submit(
            message.payload,
            lambda result: self.link.publish(topic, result, correlation=message.correlation),
        )

    # --- the loop -----------------------------------------------------------------------
    def _drain(self) -> None:
        now = self.clock.monotonic_ms()  # the clock the pumps are driven by
        while not self.link.acks.empty():
            mid, ok = self.link.acks.get()
            self.pump.acked(mid, ok, now) or self.direct.acked(mid) or self.receipts.acked(
                mid, ok, now
            )
        while not self.link.incoming.empty():
            self.handle(self.link.incoming.get())
        while not self.motions.empty():
            self.state.set_presence(self.motions.get())

    def run(self) -> None:
        self.link.birth_ts = self.clock.wall_ms()
        self.link.start()
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
                    next_reading = max(next_reading + self.runtime.reading_interval_s, now)
                online = self.link.connected  # read first: it is set after the count
                if self.link.connections != connections:
                    connections = self.link.connections
                    self.pump.reconnected()
                if online:
                    if now >= next_health:
                        self.link.publish(
                            station_topic(self.settings.station_id, StationTopic.HEALTH),
                            encode(self.health_message()),
                        )
                        next_health = now + self.runtime.health_interval_s
                    self.direct.send()
                    self.pump.pump(self.clock.boot_id(), self.clock.monotonic_ms())
                    self.disk.attempt(
                        "publishing receipts", self.receipts.pump, self.clock.monotonic_ms()
                    )
                self.link.birth_ts = self.clock.wall_ms()
                if self._network_shown != ("online" if self.link.connected else "offline"):
                    self.disk.guard(KIOSK_STATE, self._write_status)
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
            if not (self.pump.outstanding or self.receipts.outstanding or self.direct.busy):
                break
            self.direct.send()
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
            self.commands.shutdown()
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
