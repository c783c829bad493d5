"""The health message the agent publishes: the system's figures and the agent's counters."""

from dataclasses import dataclass

from contract.messages import Health
from sensors.agentfiles import AgentStorage
from sensors.content import ContentInbox
from sensors.health import HealthProbe
from sensors.pictures import PictureStore
from sensors.sampling import Sampler
from sensors.time.clock import Clock
from sensors.time.timekeeping import TimeKeeper
from sensors.uplink.outbox import Outbox


@dataclass(frozen=True)
class HealthReport:
    probe: HealthProbe
    clock: Clock
    version: str
    storage: AgentStorage
    outbox: Outbox
    sampler: Sampler
    time: TimeKeeper
    inbox: ContentInbox
    pictures: PictureStore

    def message(self) -> Health:
        system = self.probe.collect()
        display_state = self.storage.local.state.kiosk_display_state()
        return Health(
            ts=self.clock.wall_ms(),
            session=self.storage.session,
            version=self.version,
            uptime_s=system.uptime_s,
            cpu_temp_c=system.cpu_temp_c,
            load_1m=system.load_1m,
            mem_used_pct=system.mem_used_pct,
            disk_used_pct=system.disk_used_pct,
            disk_free_mb=system.disk_free_mb,
            wifi_rssi_dbm=system.wifi_rssi_dbm,
            undervoltage=system.undervoltage,
            throttled=system.throttled,
            outbox_depth=self.outbox.depth,
            outbox_evicted=self.outbox.evicted,
            sensor_errors=dict(self.sampler.errors),
            sensor_state=self.sampler.state,
            clock_synced=self.time.synced,
            content_rejected=dict(self.inbox.rejected)
            | {f"picture_{k}": n for k, n in self.pictures.refused.items()},
            display_state=display_state[:32] if display_state is not None else None,
            local_state_rebuilt=self.storage.rebuilt,
        )
