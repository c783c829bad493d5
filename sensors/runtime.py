"""The settings that staff may change while the agent runs, through signed config."""

from dataclasses import dataclass, replace

from contract.content import StationConfig
from contract.levels import Level
from localstate import DisplaySchedule
from sensors.settings import AgentSettings


@dataclass(frozen=True)
class RuntimeConfig:
    reading_interval_s: float
    health_interval_s: float
    hysteresis_c: float
    display_on: tuple[str, str]
    quiet_hours: tuple[str, str]
    stale_after_s: int
    beacon_level: Level

    @classmethod
    def from_settings(cls, s: AgentSettings) -> "RuntimeConfig":
        return cls(
            reading_interval_s=s.reading_interval_s,
            health_interval_s=s.health_interval_s,
            hysteresis_c=s.hysteresis_c,
            display_on=(s.display_on_start, s.display_on_end),
            quiet_hours=(s.quiet_hours_start, s.quiet_hours_end),
            stale_after_s=s.stale_after_s,
            beacon_level=Level(s.beacon_level),
        )

    def apply(self, config: StationConfig) -> "RuntimeConfig":
        """This configuration with the fields ``config`` sets; unknown levels are ignored."""
        changed = self
        if config.reading_interval_s is not None:
            changed = replace(changed, reading_interval_s=float(config.reading_interval_s))
        if config.health_interval_s is not None:
            changed = replace(changed, health_interval_s=float(config.health_interval_s))
        if config.hysteresis_c is not None:
            changed = replace(changed, hysteresis_c=config.hysteresis_c)
        if config.display_on is not None:
            changed = replace(changed, display_on=(config.display_on.start, config.display_on.end))
        if config.quiet_hours is not None:
            changed = replace(
                changed, quiet_hours=(config.quiet_hours.start, config.quiet_hours.end)
            )
        if config.stale_after_s is not None:
            changed = replace(changed, stale_after_s=config.stale_after_s)
        if config.beacon_level is not None and config.beacon_level in Level.__members__.values():
            changed = replace(changed, beacon_level=Level(config.beacon_level))
        return changed

    def display(self) -> DisplaySchedule:
        return DisplaySchedule(self.display_on[0], self.display_on[1], self.stale_after_s)
