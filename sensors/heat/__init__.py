"""Heat-stress maths: WBGT estimate and level tracking. Pure functions, no I/O."""

from sensors.heat.hysteresis import LevelTracker
from sensors.heat.wbgt import WbgtEstimate, estimate_wbgt

__all__ = ["LevelTracker", "WbgtEstimate", "estimate_wbgt"]
