"""The station's local state: the one SQLite file the agent writes and the kiosk reads.

This package is the only definition of that file's schema; the agent and the kiosk both
import it. See docs/local-state.md.
"""

from localstate.db import LocalState, OpenResult, open_local_state
from localstate.model import (
    IMAGES_DIR,
    AlertView,
    DisplaySchedule,
    EmergencyView,
    ForecastView,
    ImageView,
    NoticeView,
    PlaceListView,
    ReadingView,
    ShelterView,
    ShownNotice,
    Site,
    Snapshot,
)
from localstate.schema import SCHEMA_VERSION

__all__ = [
    "IMAGES_DIR",
    "SCHEMA_VERSION",
    "AlertView",
    "DisplaySchedule",
    "EmergencyView",
    "ForecastView",
    "ImageView",
    "LocalState",
    "NoticeView",
    "OpenResult",
    "PlaceListView",
    "ReadingView",
    "ShelterView",
    "ShownNotice",
    "Site",
    "Snapshot",
    "open_local_state",
]
