"""WBGT (暑さ指数) estimated from air temperature and relative humidity.

Inside its range the estimate is the Japanese Society of Biometeorology's indoor chart
(日本生気象学会「日常生活における熱中症予防指針」Ver.4, 室内用のWBGT簡易推定図),
interpolated bilinearly between its cells (21–40 °C, 20–100 % RH).

Outside that range the chart is continued with a formula, offset so that it meets the
chart exactly at the nearest edge point:

    WBGT(T, RH) = chart(T', RH') + f(T, RH) − f(T', RH')

where (T', RH') is (T, RH) clamped into the chart and f is the indoor WBGT with no
radiant heat, f = 0.7·Tw + 0.3·T, Tw being Stull's (2011) wet-bulb temperature. At 40 °C
f gives 28.0 at 20 % and 40.0 at 100 %, the chart's own edge values, so the continuation
keeps the chart's slope. Such values are marked ``extrapolated``.
"""

import csv
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

CHART_FILE = "jsb-indoor-wbgt-v4.csv"


@dataclass(frozen=True, slots=True)
class Chart:
    temps: tuple[float, ...]
    rhs: tuple[float, ...]
    cells: tuple[tuple[float, ...], ...]  # cells[i][j] for temps[i], rhs[j]

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


def stull_wet_bulb(temp_c: float, rh: float) -> float:
    """Wet-bulb temperature (°C), Stull 2011; RH held within the fit's 5–99 %."""
    rh = min(max(rh, 5.0), 99.0)
    wet_bulb: float = (
        temp_c * math.atan(0.151977 * math.sqrt(rh + 8.313659))
        + math.atan(temp_c + rh)
        - math.atan(rh - 1.676331)
        + 0.00391838 * rh**1.5 * math.atan(0.023101 * rh)
        - 4.686035
    )
    return wet_bulb


def indoor_formula(temp_c: float, rh: float) -> float:
    """WBGT with no radiant load: 0.7·Tw + 0.3·T."""
    return 0.7 * stull_wet_bulb(temp_c, rh) + 0.3 * temp_c


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
        value += indoor_formula(temp_c, rh) - indoor_formula(t_in, rh_in)
    return WbgtEstimate(round(value, 2), outside)
