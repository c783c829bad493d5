"""The station's local state: the one SQLite file the agent writes and the kiosk reads.

This package is the only definition of that file's schema; the agent and the kiosk both
import it. See docs/local-state.md.
"""

from sensors.localstate.db import LocalState, OpenResult, open_local_state
from sensors.localstate.model import (
    AlertView,
    DisplaySchedule,
    ForecastView,
    NoticeView,
    ReadingView,
    ShownNotice,
    Snapshot,
)
from sensors.localstate.schema import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "AlertView",
    "DisplaySchedule",
    "ForecastView",
    "LocalState",
    "NoticeView",
    "OpenResult",
    "ReadingView",
    "ShownNotice",
    "Snapshot",
    "open_local_state",
]
