"""Commands to a station: identify (blink), restart its kiosk, take a screenshot."""

from typing import Annotated

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from contract.messages import CommandName
from server.api import fleet_table
from server.api.deps import RegistryDep, SessionDep, SettingsDep, Staff, StoreDep
from server.api.errors import CodedError
from server.api.schemas import IdInPath
from server.api.stations import known_station
from server.commands import CommandError, MqttCommandSender
from server.registry.db import now_ms
from server.registry.stations import audit

router = APIRouter(prefix="/api/v1/stations", tags=["stations"])


class CommandIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: CommandName
    args: dict[Annotated[str, Field(max_length=64)], str | int | float | bool] = Field(
        default_factory=dict, max_length=8
    )


class CommandOut(BaseModel):
    ok: bool
    detail: str
    png_base64: str | None = None


@router.post(
    "/{station_id}/commands",
    summary="Send a command and wait for the station's answer (504 when it does not answer)",
    responses={504: {"description": "局から応答がありません / the station did not answer in time"}},
)
def send_command(
    station_id: IdInPath,
    body: CommandIn,
    who: Staff,
    settings: SettingsDep,
    store: StoreDep,
    session: SessionDep,
    registry: RegistryDep,
) -> CommandOut:
    found = fleet_table.one(session, station_id, now_ms(), settings.offline_after_s)
    if found is None:
        known_station(session, store, station_id)  # 404 for a station nobody knows
    if found is None or not found["online"]:
        raise CodedError(
            409,
            "station_offline",
            "局はオフラインです / the station is offline: nothing would answer",
        )
    with registry.session() as own:  # committed now: it stays even if the station never answers
        audit(own, who.name, "station.command", station_id, body.name.value)
    try:
        result = MqttCommandSender(settings).send(station_id, body.name, body.args)
    except CommandError as exc:
        raise HTTPException(503, f"ブローカーに接続できません / {exc}") from exc
    if result is None:
        raise HTTPException(504, "局から応答がありません / the station did not answer in time")
    return CommandOut(ok=result.ok, detail=result.detail, png_base64=result.png_base64)
