"""The station↔server wire contract: topics, message models, levels and signed content.

Both the station agent and the server import this package; it has no I/O of its own.
See docs/protocol.md for the contract in prose.
"""

from contract.errors import ContractError
from contract.levels import LEVELS, Level, LevelInfo, level_for

WIRE_VERSION = 1
TOPIC_PREFIX = "kyusui/v1"

__all__ = [
    "LEVELS",
    "TOPIC_PREFIX",
    "WIRE_VERSION",
    "ContractError",
    "Level",
    "LevelInfo",
    "level_for",
]
