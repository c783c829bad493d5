"""The one endpoint without authentication: open data, the current level per station."""

from fastapi import APIRouter

from contract.levels import Level
from server.api.deps import SessionDep, SettingsDep, StoreDep
from server.api.fleet import merge
from server.api.schemas import PublicLevelOut
from server.registry.db import now_ms
from server.registry.stations import list_stations

router = APIRouter(prefix="/api/v1/public", tags=["open data"])


@router.get(
    "/levels",
    summary="Current heat-stress level of every enrolled station (no token needed)",
    description="暑さ指数（推定）の現在の段階。通信が途絶えた局は level が null になります。",
)
def public_levels(
    store: StoreDep, settings: SettingsDep, session: SessionDep
) -> list[PublicLevelOut]:
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
    return out
