"""The alert file ``alert/dl/{YYYY}/alert_{YYYYMMDD}_{HH}.csv``: 熱中症警戒アラート per area.

Metadata rows first (``key,value,,,…``: ``ReportDate``, ``ReportTime``, ``TargetDate1``,
``TargetDate2``…), then a header row whose first cell is ``府県予報区``, then one row per area:
0 area name, 3 area code (six digits), 4 prefecture, 5 prefecture code, then the flags for
TargetDate1 and TargetDate2 (found by their header names, columns 6 and 7 otherwise).
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import IntEnum

from server.official.errors import OfficialDataError
from server.official.text import rows
from server.official.times import at_hour, parse_date

HEADER_FIRST_CELL = "府県予報区"
_AREA_CODE = re.compile(r"^\d{6}$")
_PREFECTURE_CODE = re.compile(r"^\d{1,2}$")
_REPORT_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?(?:時)?$")


class AlertFlag(IntEnum):
    NONE = 0
    ALERT = 1  # 熱中症警戒情報 issued: 熱中症警戒アラート
    SPECIAL_JUDGED = 2  # 熱中症特別警戒情報 judged, not issued: for staff only
    SPECIAL = 3  # 熱中症特別警戒情報 issued: 熱中症特別警戒アラート
    UNDECIDED = 9  # outside issuing hours, or not decided yet

    @property
    def rank(self) -> int:
        """Which of several areas' flags speaks for a prefecture: the most serious."""
        return {9: 0, 0: 1, 2: 2, 1: 3, 3: 4}[self.value]


@dataclass(frozen=True)
class AreaFlags:
    name: str
    code: str
    prefecture: str
    prefecture_code: str
    target1: AlertFlag  # for the issue day
    target2: AlertFlag  # for the next day


@dataclass(frozen=True)
class AlertFile:
    reported_at: datetime  # JST
    target_date1: date
    target_date2: date
    areas: tuple[AreaFlags, ...]

    def for_area(self, code: str) -> AreaFlags:
        """The area with this six-digit code; for a prefecture split into several areas
        (Hokkaido, Kagoshima, Okinawa) its code ``NN0000`` stands for the most serious of them."""
        for area in self.areas:
            if area.code == code:
                return area
        prefecture = code[:2].lstrip("0")
        parts = [a for a in self.areas if a.prefecture_code.lstrip("0") == prefecture]
        if code.endswith("0000") and parts:
            return AreaFlags(
                parts[0].prefecture,
                code,
                parts[0].prefecture,
                parts[0].prefecture_code,
                max((a.target1 for a in parts), key=lambda f: f.rank),
                max((a.target2 for a in parts), key=lambda f: f.rank),
            )
        raise OfficialDataError("area", f"area {code} is not in the file")


def parse_alerts(data: bytes) -> AlertFile:
    table = rows(data)
    starts = [i for i, row in enumerate(table) if row[0] == HEADER_FIRST_CELL]
    if not starts:
        raise OfficialDataError("header", f"no header row starting with {HEADER_FIRST_CELL}")
    meta = {row[0]: row[1] if len(row) > 1 else "" for row in table[: starts[0]]}
    header = table[starts[0]]
    flag1 = _column(header, "TargetDate1フラグ", 6)
    flag2 = _column(header, "TargetDate2フラグ", 7)
    areas = tuple(_area(row, number, flag1, flag2) for number, row in _numbered(table, starts[0]))
    if not areas:
        raise OfficialDataError("truncated", "the header is not followed by any area")
    return AlertFile(
        reported_at=_reported_at(meta),
        target_date1=parse_date(_meta(meta, "TargetDate1")),
        target_date2=parse_date(_meta(meta, "TargetDate2")),
        areas=areas,
    )


def _numbered(table: list[list[str]], header_at: int) -> list[tuple[int, list[str]]]:
    return [(i + 1, row) for i, row in enumerate(table) if i > header_at]


def _column(header: list[str], name: str, fallback: int) -> int:
    return header.index(name) if name in header else fallback


def _meta(meta: dict[str, str], key: str) -> str:
    if not meta.get(key):
        raise OfficialDataError("header", f"metadata row {key} is missing")
    return meta[key]


def _reported_at(meta: dict[str, str]) -> datetime:
    day = parse_date(_meta(meta, "ReportDate"))
    text = _meta(meta, "ReportTime")
    match = _REPORT_TIME.match(text)
    if match is None:
        raise OfficialDataError("value", f"ReportTime {text!r} is not a time like 05:00")
    return at_hour(day, int(match[1]), int(match[2] or 0))


def _area(row: list[str], number: int, flag1: int, flag2: int) -> AreaFlags:
    if len(row) <= max(5, flag1, flag2):
        raise OfficialDataError("truncated", f"row {number} has only {len(row)} cells")
    if not _AREA_CODE.match(row[3]) or not _PREFECTURE_CODE.match(row[5]):
        raise OfficialDataError(
            "row", f"row {number}: {row[3]!r}/{row[5]!r} are not an area and prefecture code"
        )
    return AreaFlags(
        row[0], row[3], row[4], row[5], _flag(row[flag1], number), _flag(row[flag2], number)
    )


def _flag(cell: str, number: int) -> AlertFlag:
    try:
        return AlertFlag(int(cell))
    except ValueError:
        raise OfficialDataError(
            "value", f"row {number}: flag {cell!r} is not 0, 1, 2, 3 or 9"
        ) from None
