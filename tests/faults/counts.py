"""What the stations produced against what the store holds, per station."""

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise


@dataclass(frozen=True)
class Counts:
    produced: int  # readings the station took (its ledger)
    stored: int  # of those, how many the store holds
    waiting: int  # of those, how many were still in the station's outbox at the end
    lost: int  # neither stored nor waiting
    phantoms: int  # stored readings the ledger does not have (taken just before a kill)
    duplicates: int  # readings stored more than once
    out_of_order: int  # stored readings whose place in the station's order is wrong

    def line(self, name: str) -> str:
        return (
            f"{name}: produced {self.produced}, stored {self.stored}, waiting {self.waiting},"
            f" lost {self.lost}, phantoms {self.phantoms}, duplicates {self.duplicates},"
            f" out of order {self.out_of_order}"
        )


def count(
    produced: Sequence[int], stored: Sequence[tuple[int, tuple[int, ...] | None]], waiting: set[int]
) -> Counts:
    """``produced``: reading times in the order taken; ``stored``: (time, the station's order
    key or None where the store has none) per stored row; ``waiting``: times left in the
    outbox."""
    stored_ts = [ts for ts, _ in stored]
    held = set(stored_ts)
    taken = set(produced)
    place = {ts: i for i, ts in reversed(list(enumerate(produced)))}
    ordered = sorted((key, place[ts]) for ts, key in stored if key is not None and ts in place)
    places = [p for _, p in ordered]
    return Counts(
        produced=len(taken),
        stored=len(taken & held),
        waiting=len((taken - held) & waiting),
        lost=len(taken - held - waiting),
        phantoms=len(held - taken),
        duplicates=len(stored_ts) - len(held),
        out_of_order=sum(1 for a, b in pairwise(places) if b < a),
    )
