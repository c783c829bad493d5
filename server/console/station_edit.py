"""Staff change a station's registry fields from its page (the API's own edit logic)."""

from contextlib import suppress
from datetime import date, datetime, time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from contract.jst import JST
from server.api.deps import CsrfChecked, FleetCacheDep, SessionDep, SettingsDep, StoreDep
from server.api.schemas import StationPatch
from server.api.stations import edit_station
from server.console.access import PagePrincipal, require_role
from server.console.station import station_context
from server.console.templating import render
from server.registry.models import Role

router = APIRouter(include_in_schema=False)
FIELDS = ("name_ja", "name_en", "area", "address", "latitude", "longitude", "exposure")
Text = Annotated[str, Form(max_length=1000)]


def patch_values(form: dict[str, str], installed_on: str) -> dict[str, object]:
    """Form text to a patch: an empty optional field clears it."""
    values: dict[str, object] = {}
    for name in FIELDS:
        text = form.get(name, "").strip()
        values[name] = text or None
    if values["name_ja"] is None:
        values["name_ja"] = ""  # required: the model refuses an empty Japanese name
    if values["exposure"] is None:
        del values["exposure"]
    for name in ("latitude", "longitude"):  # the API takes numbers, not the text typed
        typed = values[name]
        if isinstance(typed, str):
            with suppress(ValueError):  # if not, the model names the field in its error
                values[name] = float(typed)
    if installed_on.strip():
        try:
            day = date.fromisoformat(installed_on.strip())
            values["installed_at"] = datetime.combine(day, time(), tzinfo=JST)
        except ValueError:
            values["installed_at"] = installed_on  # the model names the field in its error
    else:
        values["installed_at"] = None
    return values


@router.post("/stations/{station_id}")
def edit_station_form(
    request: Request,
    station_id: str,
    principal: PagePrincipal,
    _: CsrfChecked,
    session: SessionDep,
    store: StoreDep,
    settings: SettingsDep,
    cache: FleetCacheDep,
    name_ja: Text = "",
    name_en: Text = "",
    area: Text = "",
    address: Text = "",
    latitude: Text = "",
    longitude: Text = "",
    exposure: Text = "",
    installed_on: Text = "",
) -> Response:
    require_role(principal, Role.STAFF)
    form = {
        "name_ja": name_ja,
        "name_en": name_en,
        "area": area,
        "address": address,
        "latitude": latitude,
        "longitude": longitude,
        "exposure": exposure,
    }
    try:
        patch = StationPatch.model_validate(patch_values(form, installed_on))
    except ValidationError as exc:
        errors = {str(e["loc"][0]): e["msg"] for e in exc.errors() if e["loc"]}
        context = station_context(request, station_id, session, store, settings, principal)
        context["form_errors"] = errors
        return render(request, "station.html", context, principal, status_code=422)
    edit_station(session, cache, station_id, patch, principal.name)
    return RedirectResponse(f"/stations/{station_id}?saved=1#registry", status_code=303)
