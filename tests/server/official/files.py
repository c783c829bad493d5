"""Files in the Ministry's formats, as docs/official-data.md describes them, made for tests."""

from collections.abc import Sequence
from datetime import date, datetime, timedelta


def forecast_csv(
    point: str,
    start: datetime,
    values: Sequence[int | None],
    made_at: str = "2026/08/07 20:25",
    other_points: Sequence[str] = ("46091",),
) -> str:
    """A forecast file: one column per 3 hours from ``start`` (written with hour 24 where the
    Ministry writes it), one row for ``point`` and empty-valued rows for ``other_points``."""
    times = []
    for i in range(len(values)):
        at = start + timedelta(hours=3 * i)
        times.append(_compact(at))
    header = ",," + ",".join(times)
    cells = ",".join("" if v is None else str(v) for v in values)
    lines = [header, f"{point},{made_at},{cells}"]
    lines += [f"{other},{made_at}," + ",".join("" for _ in values) for other in other_points]
    return "\r\n".join(lines) + "\r\n"


def _compact(at: datetime) -> str:
    if at.hour == 0:  # the Ministry writes midnight as hour 24 of the day before
        before = at - timedelta(days=1)
        return f"{before:%Y%m%d}24"
    return f"{at:%Y%m%d%H}"


def observed_csv(
    points: Sequence[str], day: date, hourly: dict[str, Sequence[float | None]]
) -> str:
    """An observed file for one day: hours 1:00…24:00, values in degrees, empty cells for
    hours not reached; the date written without zero padding."""
    lines = ["Date,Time," + ",".join(points)]
    for hour in range(1, 25):
        cells = []
        for point in points:
            values = hourly.get(point, [])
            value = values[hour - 1] if hour - 1 < len(values) else None
            cells.append("" if value is None else f"{value:.1f}")
        lines.append(f"{day.year}/{day.month}/{day.day},{hour}:00," + ",".join(cells))
    return "\n".join(lines) + "\n"


AREA_HEADER = (
    "府県予報区,府県予報区(かな),予備,府県予報区コード,都道府県,都道府県コード,"
    "TargetDate1フラグ,TargetDate2フラグ"
)


def alert_csv(
    report: date,
    report_time: str,
    areas: Sequence[tuple[str, str, str, str, int, int]],
    header: str = AREA_HEADER,
) -> str:
    """An alert file: metadata rows, the area header, then (name, code, prefecture,
    prefecture code, flag today, flag tomorrow) per area."""
    tomorrow = report + timedelta(days=1)
    lines = [
        f"ReportDate,{report:%Y/%m/%d},,,,,,",
        f"ReportTime,{report_time},,,,,,",
        f"TargetDate1,{report:%Y/%m/%d},,,,,,",
        f"TargetDate2,{tomorrow:%Y/%m/%d},,,,,,",
        "FlagExplanation,0:なし 1:熱中症警戒情報 2:熱中症特別警戒情報(判定)"
        " 3:熱中症特別警戒情報 9:対象外,,,,,,",
        header,
    ]
    lines += [f"{n},,,{c},{p},{pc},{f1},{f2}" for n, c, p, pc, f1, f2 in areas]
    return "\n".join(lines) + "\n"


KANAGAWA = ("神奈川県", "140000", "神奈川県", "14")
TOKYO = ("東京地方", "130010", "東京都", "13")
HOKKAIDO = (
    ("宗谷地方", "011000", "北海道", "01"),
    ("上川・留萌地方", "012010", "北海道", "01"),
    ("石狩・空知・後志地方", "016010", "北海道", "01"),
)
