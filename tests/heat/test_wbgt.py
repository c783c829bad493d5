"""The WBGT estimate: the published chart, interpolated inside and continued outside."""

import csv
import itertools
import math
from importlib import resources

import pytest

from sensors.heat import estimate_wbgt


def published_chart() -> dict[tuple[float, float], float]:
    """The shipped CSV, read here independently of the code under test."""
    text = resources.files("sensors.heat").joinpath("data/jsb-indoor-wbgt-v4.csv").read_text()
    rows = [r for r in csv.reader(text.splitlines()) if r and not r[0].startswith("#")]
    header = [float(h) for h in rows[0][1:]]
    return {
        (float(row[0]), rh): float(cell)
        for row in rows[1:]
        for rh, cell in zip(header, row[1:], strict=True)
    }


CHART = published_chart()
TEMPS = sorted({t for t, _ in CHART})
RHS = sorted({rh for _, rh in CHART})


def test_the_shipped_chart_covers_21_to_40_degrees_and_20_to_100_percent() -> None:
    assert [float(t) for t in range(21, 41)] == TEMPS
    assert [float(rh) for rh in range(20, 101, 5)] == RHS
    assert len(CHART) == 20 * 17


@pytest.mark.parametrize(("temp_c", "rh"), sorted(CHART))
def test_every_chart_cell_is_reproduced_exactly(temp_c: float, rh: float) -> None:
    estimate = estimate_wbgt(temp_c, rh)
    assert estimate.wbgt_c == CHART[temp_c, rh]
    assert not estimate.extrapolated


def test_the_chart_itself_never_falls_with_temperature_or_humidity() -> None:
    for t in TEMPS:
        row = [CHART[t, rh] for rh in RHS]
        assert row == sorted(row), f"row {t} °C"
    for rh in RHS:
        column = [CHART[t, rh] for t in TEMPS]
        assert column == sorted(column), f"column {rh} %"


def test_midpoints_are_the_average_of_the_surrounding_cells() -> None:
    for t0, t1 in itertools.pairwise(TEMPS):
        for r0, r1 in itertools.pairwise(RHS):
            corners = [CHART[t0, r0], CHART[t0, r1], CHART[t1, r0], CHART[t1, r1]]
            centre = estimate_wbgt((t0 + t1) / 2, (r0 + r1) / 2)
            assert centre.wbgt_c == pytest.approx(sum(corners) / 4, abs=0.005)
            assert not centre.extrapolated
            along_t = estimate_wbgt((t0 + t1) / 2, r0).wbgt_c
            assert along_t == pytest.approx((CHART[t0, r0] + CHART[t1, r0]) / 2, abs=0.005)
            along_rh = estimate_wbgt(t0, (r0 + r1) / 2).wbgt_c
            assert along_rh == pytest.approx((CHART[t0, r0] + CHART[t0, r1]) / 2, abs=0.005)


def test_a_quarter_of_the_way_is_weighted_bilinearly() -> None:
    # Between 30 and 31 °C, 50 and 55 %: cells 25, 25 (30 °C) and 26, 26 (31 °C).
    assert estimate_wbgt(30.25, 51.25).wbgt_c == pytest.approx(25.25, abs=0.005)
    # Between 35 and 36 °C, 95 and 100 %: cells 34, 35 (35 °C) and 35, 36 (36 °C).
    assert estimate_wbgt(35.5, 97.5).wbgt_c == pytest.approx(35.0, abs=0.005)


# A grid from well below to well above the chart in both directions, 0.25 °C and 0.5 % apart.
GRID_T = [t / 4 for t in range(-10 * 4, 50 * 4 + 1)]
GRID_RH = [rh / 2 for rh in range(0, 201)]


def test_the_estimate_never_falls_as_temperature_rises() -> None:
    for rh in GRID_RH:
        values = [estimate_wbgt(t, rh).wbgt_c for t in GRID_T]
        falls = [(GRID_T[i], rh) for i in range(len(values) - 1) if values[i + 1] < values[i]]
        assert not falls, f"falls at {falls[:3]}"


def test_the_estimate_never_falls_as_humidity_rises() -> None:
    for t in GRID_T:
        values = [estimate_wbgt(t, rh).wbgt_c for rh in GRID_RH]
        falls = [(t, GRID_RH[i]) for i in range(len(values) - 1) if values[i + 1] < values[i]]
        assert not falls, f"falls at {falls[:3]}"


def test_the_estimate_rises_strictly_outside_the_chart() -> None:
    assert estimate_wbgt(45, 60).wbgt_c > estimate_wbgt(41, 60).wbgt_c
    assert estimate_wbgt(15, 60).wbgt_c > estimate_wbgt(10, 60).wbgt_c
    assert estimate_wbgt(30, 15).wbgt_c > estimate_wbgt(30, 5).wbgt_c


EPS = 1e-6
EDGE_POINTS = (
    [(t, RHS[0]) for t in TEMPS] + [(TEMPS[0], rh) for rh in RHS] + [(TEMPS[-1], rh) for rh in RHS]
)


@pytest.mark.parametrize(("temp_c", "rh"), EDGE_POINTS)
def test_the_continuation_meets_the_chart_at_every_edge(temp_c: float, rh: float) -> None:
    on_edge = estimate_wbgt(temp_c, rh)
    assert on_edge.wbgt_c == CHART[temp_c, rh]
    assert not on_edge.extrapolated
    neighbours = []
    if temp_c == TEMPS[0]:
        neighbours.append((temp_c - EPS, rh))
    if temp_c == TEMPS[-1]:
        neighbours.append((temp_c + EPS, rh))
    if rh == RHS[0]:
        neighbours.append((temp_c, rh - EPS))
    for t, r in neighbours:
        outside = estimate_wbgt(t, r)
        assert outside.extrapolated
        assert outside.wbgt_c == pytest.approx(on_edge.wbgt_c, abs=0.01)


def test_between_edge_cells_the_continuation_also_meets_the_interpolation() -> None:
    for t in [21.5, 30.3, 39.9]:
        inside, outside = estimate_wbgt(t, 20.0), estimate_wbgt(t, 20.0 - EPS)
        assert outside.wbgt_c == pytest.approx(inside.wbgt_c, abs=0.01)
    for rh in [22.5, 61.0, 99.9]:
        for edge, step in [(21.0, -EPS), (40.0, EPS)]:
            inside, outside = estimate_wbgt(edge, rh), estimate_wbgt(edge + step, rh)
            assert outside.wbgt_c == pytest.approx(inside.wbgt_c, abs=0.01)


@pytest.mark.parametrize(
    ("temp_c", "rh"), [(20.9, 50), (-10, 50), (41, 50), (48, 95), (30, 19.9), (30, 0), (15, 10)]
)
def test_values_outside_the_chart_are_marked_extrapolated(temp_c: float, rh: float) -> None:
    assert estimate_wbgt(temp_c, rh).extrapolated


@pytest.mark.parametrize(
    ("temp_c", "rh"), [(21, 20), (40, 100), (21, 100), (40, 20), (30.5, 62.5), (25, 20.1)]
)
def test_values_inside_the_chart_are_not_marked(temp_c: float, rh: float) -> None:
    assert not estimate_wbgt(temp_c, rh).extrapolated


def test_the_continuation_stays_plausible_over_the_sensors_whole_range() -> None:
    # Hot and humid beyond the chart is hotter than its hottest cell; cold is far below it.
    assert estimate_wbgt(45, 100).wbgt_c > 40
    assert estimate_wbgt(45, 20).wbgt_c > 28
    assert -50 < estimate_wbgt(-39.9, 0).wbgt_c < 0
    assert estimate_wbgt(79.9, 100).wbgt_c < 80


@pytest.mark.parametrize(
    ("temp_c", "rh"),
    [(30, -0.1), (30, 100.1), (30, math.nan), (math.nan, 50), (math.inf, 50), (30, -math.inf)],
)
def test_impossible_input_raises_value_error(temp_c: float, rh: float) -> None:
    with pytest.raises(ValueError, match=r"humidity|finite"):
        estimate_wbgt(temp_c, rh)


@pytest.mark.parametrize(
    ("temp_c", "rh", "expected"),
    [(42, 60, 36.80), (18, 70, 16.31), (30, 10, 19.81), (45, 15, 31.9)],
)
def test_the_documented_continuation_examples(temp_c: float, rh: float, expected: float) -> None:
    # docs/heat-stress.md: edge value + 0.8978 per °C and 0.1188 per % RH beyond the edge.
    assert estimate_wbgt(temp_c, rh).wbgt_c == pytest.approx(expected, abs=0.005)
