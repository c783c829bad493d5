"""The health message the agent publishes: the system's figures and the agent's counters."""

from typing import TYPE_CHECKING

from contract.messages import Health

if TYPE_CHECKING:
    from sensors.agent import Agent


def health_message(agent: "Agent", version: str) -> Health:
    system = agent.health.collect()
    display_state = agent.state.kiosk_display_state()
    return Health(
        ts=agent.clock.wall_ms(),
        session=agent.session,
        version=version,
        uptime_s=system.uptime_s,
        cpu_temp_c=system.cpu_temp_c,
        load_1m=system.load_1m,
        mem_used_pct=system.mem_used_pct,
        disk_used_pct=system.disk_used_pct,
        disk_free_mb=system.disk_free_mb,
        wifi_rssi_dbm=system.wifi_rssi_dbm,
        undervoltage=system.undervoltage,
        throttled=system.throttled,
        outbox_depth=agent.outbox.depth,
        outbox_evicted=agent.outbox.evicted,
        sensor_errors=dict(agent.sampler.errors),
        sensor_state=agent.sampler.state,
        clock_synced=agent.time.synced,
        content_rejected=dict(agent.inbox.rejected)
        | {f"picture_{k}": n for k, n in agent.pictures.refused.items()},
        display_state=display_state[:32] if display_state is not None else None,
        local_state_rebuilt=agent.files_rebuilt,
    )
