"""WBGT (暑さ指数) estimated from air temperature and relative humidity.

Inside its range the estimate is the Japanese Society of Biometeorology's indoor chart
(日本生気象学会「日常生活における熱中症予防指針」Ver.4, 室内用のWBGT簡易推定図),
interpolated bilinearly between its cells (21–40 °C, 20–100 % RH).

Outside that range the chart is continued linearly from the nearest edge point with the
chart's own mean gradients (see docs/heat-stress.md):

    WBGT(T, RH) = chart(T', RH') + a·(T − T') + b·(RH − RH')

where (T', RH') is (T, RH) clamped into the chart, a = 0.898 °C per °C is the mean over the
chart's columns of (chart(40, RH) − chart(21, RH)) / 19 and b = 0.119 °C per % RH the mean
over its rows of (chart(T, 100) − chart(T, 20)) / 80. At an edge point T = T' and RH = RH',
so the continuation meets the chart exactly; a and b are positive, so the estimate rises
with temperature and with humidity everywhere. Such values are marked ``extrapolated``.
"""

import csv
import math
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

CHART_FILE = "jsb-indoor-wbgt-v4.csv"


@dataclass(frozen=True, slots=True)
class Chart:
    temps: tuple[float, ...]
    rhs: tuple[float, ...]
    cells: tuple[tuple[float, ...], ...]  # cells[i][j] for temps[i], rhs[j]
    # Mean gradients, used to continue the chart beyond its edges.
    temp_slope: float = field(init=False)  # °C of WBGT per °C
    rh_slope: float = field(init=False)  # °C of WBGT per % RH

    def __post_init__(self) -> None:
        t_span, rh_span = self.temps[-1] - self.temps[0], self.rhs[-1] - self.rhs[0]
        by_column = [(self.cells[-1][j] - self.cells[0][j]) / t_span for j in range(len(self.rhs))]
        by_row = [(row[-1] - row[0]) / rh_span for row in self.cells]
        object.__setattr__(self, "temp_slope", sum(by_column) / len(by_column))
        object.__setattr__(self, "rh_slope", sum(by_row) / len(by_row))

    def value(self, temp_c: float, rh: float) -> float:
        i = _segment(self.temps, temp_c)
        j = _segment(self.rhs, rh)
        t0, t1 = self.temps[i], self.temps[i + 1]
        r0, r1 = self.rhs[j], self.rhs[j + 1]
        ft = (temp_c - t0) / (t1 - t0)
        fr = (rh - r0) / (r1 - r0)
        low = self.cells[i][j] * (1 - fr) + self.cells[i][j + 1] * fr
        high = self.cells[i + 1][j] * (1 - fr) + self.cells[i + 1][j + 1] * fr
        return low * (1 - ft) + high * ft

    def clamp(self, temp_c: float, rh: float) -> tuple[float, float]:
        return (
            min(max(temp_c, self.temps[0]), self.temps[-1]),
            min(max(rh, self.rhs[0]), self.rhs[-1]),
        )


def _segment(axis: tuple[float, ...], x: float) -> int:
    """Index i of the interval axis[i]..axis[i+1] holding x (x inside the axis)."""
    for i in range(len(axis) - 2):
        if x < axis[i + 1]:
            return i
    return len(axis) - 2


@cache
def chart() -> Chart:
    text = resources.files("sensors.heat").joinpath("data", CHART_FILE).read_text("utf-8")
    rows = [row for row in csv.reader(text.splitlines()) if row and not row[0].startswith("#")]
    header, body = rows[0], rows[1:]
    return Chart(
        temps=tuple(float(r[0]) for r in body),
        rhs=tuple(float(h) for h in header[1:]),
        cells=tuple(tuple(float(c) for c in r[1:]) for r in body),
    )


@dataclass(frozen=True, slots=True)
class WbgtEstimate:
    wbgt_c: float
    extrapolated: bool


def estimate_wbgt(temp_c: float, rh: float) -> WbgtEstimate:
    """Estimate indoor/shaded WBGT; raises ValueError for physically impossible input."""
    if not (math.isfinite(temp_c) and math.isfinite(rh)):
        raise ValueError("temperature and humidity must be finite numbers")
    if not 0.0 <= rh <= 100.0:
        raise ValueError(f"relative humidity {rh} % is outside 0–100 %")
    table = chart()
    t_in, rh_in = table.clamp(temp_c, rh)
    value = table.value(t_in, rh_in)
    outside = (t_in, rh_in) != (temp_c, rh)
    if outside:
        value += table.temp_slope * (temp_c - t_in) + table.rh_slope * (rh - rh_in)
    return WbgtEstimate(round(value, 2), outside)
