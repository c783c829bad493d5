"""The one endpoint without authentication: open data, the current level per station and the
official word for the ward (the Ministry's alert and forecast, with its attribution)."""

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from contract.content import AlertKind
from contract.jst import JST
from contract.levels import Level
from server.api.deps import SessionDep, SettingsDep, StoreDep
from server.api.fleet import merge
from server.api.schemas import PublicLevelOut
from server.official.state import official_state
from server.official.wording import ATTRIBUTION
from server.registry.db import now_ms
from server.registry.stations import list_stations

router = APIRouter(prefix="/api/v1/public", tags=["open data"])


class PublicOfficialOut(BaseModel):
    """出典：環境省熱中症予防情報サイト — shown next to these values wherever they are used."""

    attribution: dict[str, str]
    point: str  # the Ministry's point whose forecast this is (横浜 46106)
    area: str  # the 府県予報区 of the alert (神奈川県 140000)
    # The heat alert stations show today: 熱中症警戒アラート or 特別警戒アラート, or none.
    alert_today: AlertKind | None
    forecast_max_today: float | None
    forecast_level_today: Level | None
    forecast_made_at: datetime | None


class PublicLevelsOut(BaseModel):
    stations: list[PublicLevelOut]
    official: PublicOfficialOut


@router.get(
    "/levels",
    summary="Current heat-stress level of every enrolled station, and the official word",
    description="暑さ指数（推定）の現在の段階。通信が途絶えた局は level が null になります。"
    "official は環境省の熱中症警戒アラートと予測値（出典：環境省熱中症予防情報サイト）。",
)
def public_levels(store: StoreDep, settings: SettingsDep, session: SessionDep) -> PublicLevelsOut:
    out = []
    for s in merge(list_stations(session), store.fleet(), now_ms(), settings.offline_after_s):
        if s.state.value != "active":
            continue  # pending stations are not public until staff enrol them
        fresh = s.online and s.latest is not None and s.latest.level is not None
        level = Level(s.latest.level) if fresh and s.latest and s.latest.level else None
        out.append(
            PublicLevelOut(
                id=s.id,
                name_ja=s.name_ja,
                name_en=s.name_en,
                area=s.area,
                level=level,
                level_name_ja=None if level is None else level.info.name_ja,
                wbgt=s.latest.wbgt if fresh and s.latest else None,
                time=s.latest.time if fresh and s.latest else None,
            )
        )
    state = official_state(
        session, settings.official_point, settings.official_alert_area, datetime.now(JST)
    )
    applied = state.applied_today
    return PublicLevelsOut(
        stations=out,
        official=PublicOfficialOut(
            attribution=ATTRIBUTION,
            point=settings.official_point,
            area=settings.official_alert_area,
            alert_today=None
            if applied is None or applied.alert is AlertKind.NONE
            else applied.alert,
            forecast_max_today=state.forecast_max_today,
            forecast_level_today=state.forecast_level_today,
            forecast_made_at=None if state.forecast is None else state.forecast.made_at,
        ),
    )
