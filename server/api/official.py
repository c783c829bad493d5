"""Official heat data for staff: the Ministry's flags for today and tomorrow, its forecast,
files it could not use, and how a station compares with the official observed value."""

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from contract.content import AlertKind
from contract.jst import JST
from contract.levels import Level
from server.api.deps import Reader, SessionDep, SettingsDep, StoreDep
from server.api.errors import CodedError
from server.api.schemas import jst
from server.official.comparisons import station_comparison
from server.official.decide import DayFlags
from server.official.state import official_state
from server.official.wording import ATTRIBUTION
from server.registry.models import Station

router = APIRouter(prefix="/api/v1", tags=["official data"])


class DayFlagsOut(BaseModel):
    day: str  # YYYY-MM-DD, JST
    flag: int  # 0 none, 1 熱中症警戒アラート, 2 特別警戒 judged, 3 特別警戒アラート, 9 undecided
    alert: AlertKind | None  # what it means for stations; None: nothing to apply
    reported_at: datetime

    @classmethod
    def of(cls, flags: DayFlags | None) -> "DayFlagsOut | None":
        if flags is None:
            return None
        return cls(
            day=flags.day.isoformat(),
            flag=int(flags.flag),
            alert=flags.alert,
            reported_at=flags.reported_at,
        )


class FileProblemOut(BaseModel):
    path: str
    status: str  # refused | unreachable
    checked_at: datetime
    reason: str


class OfficialOut(BaseModel):
    attribution: dict[str, str]
    point: str
    area: str
    today: DayFlagsOut | None
    tomorrow: DayFlagsOut | None
    # What stations were given today and by whom ("moe" automatically, or "staff").
    applied_today: AlertKind | None
    applied_by: str | None
    forecast_made_at: datetime | None
    forecast_max_today: float | None
    forecast_level_today: Level | None
    problems: list[FileProblemOut]


class ComparisonOut(BaseModel):
    station: str
    point: str
    point_name_ja: str
    days: int
    hours: int
    mean_difference_c: float | None  # the station's estimate minus the official value
    same_side_share: float | None
    biased: bool
    threshold_c: float


@router.get("/official", summary="The Ministry's alert flags, forecast and file problems")
def official(_: Reader, session: SessionDep, settings: SettingsDep) -> OfficialOut:
    state = official_state(
        session, settings.official_point, settings.official_alert_area, datetime.now(JST)
    )
    applied = state.applied_today
    return OfficialOut(
        attribution=ATTRIBUTION,
        point=settings.official_point,
        area=settings.official_alert_area,
        today=DayFlagsOut.of(state.today),
        tomorrow=DayFlagsOut.of(state.tomorrow),
        applied_today=None if applied is None else applied.alert,
        applied_by=None if applied is None else ("staff" if applied.by_staff else "moe"),
        forecast_made_at=None if state.forecast is None else state.forecast.made_at,
        forecast_max_today=state.forecast_max_today,
        forecast_level_today=state.forecast_level_today,
        problems=[
            FileProblemOut(
                path=p.path, status=p.status.value, checked_at=jst(p.checked_at_ms), reason=p.reason
            )
            for p in state.problems
        ],
    )


@router.get(
    "/stations/{station_id}/official",
    summary="The station's estimate against the nearest official point's observed WBGT",
)
def station_against_official(
    station_id: str, _: Reader, session: SessionDep, settings: SettingsDep, store: StoreDep
) -> ComparisonOut:
    station = session.get(Station, station_id)
    if station is None:
        raise CodedError(404, "not_found", f"局 {station_id} はありません / no such station")
    point, comparison = station_comparison(session, store, settings, station, datetime.now(JST))
    return ComparisonOut(
        station=station_id,
        point=point.number,
        point_name_ja=point.name_ja,
        days=settings.official_check_days,
        hours=comparison.hours,
        mean_difference_c=comparison.mean_difference_c,
        same_side_share=comparison.same_side_share,
        biased=comparison.biased(settings.official_bias_threshold_c),
        threshold_c=settings.official_bias_threshold_c,
    )
