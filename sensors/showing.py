"""What the station shows of itself: the newest reading and the agent's status in the local
state for the kiosk, the same status on the LED, and the warning beacon.

The kiosk's state is written even on a full disk: in place, with a checkpoint first, and
without the trend point (see docs/agent.md, "A full disk").
"""

from contract.jst import in_window
from contract.messages import Reading
from sensors.agentfiles import LocalStateFile
from sensors.diskspace import KIOSK_STATE, DiskState
from sensors.gpio.parts import Parts
from sensors.gpio.patterns import pattern_for
from sensors.measure import view_of
from sensors.runtime import RuntimeConfig
from sensors.sampling import Sampler
from sensors.time.timekeeping import TimeKeeper
from sensors.uplink.link import Link
from sensors.uplink.outbox import Outbox


class Showing:
    def __init__(
        self,
        local: LocalStateFile,
        disk: DiskState,
        parts: Parts,
        sampler: Sampler,
        outbox: Outbox,
        time: TimeKeeper,
        link: Link,
    ) -> None:
        self.local = local
        self.disk = disk
        self.parts = parts
        self.sampler = sampler
        self.outbox = outbox
        self.time = time
        self.link = link
        self.network_shown: str | None = None  # what the kiosk and the LED were last told

    def starting(self) -> None:
        self.local.state.write_agent_status(
            "starting", "offline", outbox_depth=self.outbox.depth, clock_synced=False
        )

    def reading(self, reading: Reading, runtime: RuntimeConfig, now_ms: int) -> None:
        self.disk.guard(KIOSK_STATE, self._show, reading)
        if self.parts.beacon is not None:
            quiet = in_window(*runtime.quiet_hours, now_ms)
            level = reading.level
            self.parts.beacon.set(
                level is not None and level.rank >= runtime.beacon_level.rank and not quiet
            )

    def network(self) -> None:
        """Tell the kiosk and the LED when the link went up or down since they were told."""
        if self.network_shown != self._network():
            self.disk.guard(KIOSK_STATE, self._write_status)

    def _network(self) -> str:
        return "online" if self.link.connected else "offline"

    def _show(self, reading: Reading) -> None:
        state = self.local.state
        if self.disk.full:
            state.checkpoint()
        with state.transaction():  # one commit for the kiosk's view of this reading
            state.write_reading(view_of(reading), history=not self.disk.full)
            self._write_status()

    def _write_status(self) -> None:
        network = self.network_shown = self._network()
        self.local.state.write_agent_status(
            self.sampler.state, network, self.sampler.detail, self.outbox.depth, self.time.synced
        )
        if self.parts.led is not None:
            self.parts.led.show(pattern_for(self.sampler.state, network == "online"))
