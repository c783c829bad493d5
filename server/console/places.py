"""/places: the places to cool down staff keep — the list, and an editor for each place.

Writes go through the places API's own functions (server.api.places), so a place saved here
is checked, signed, published with its scope's list and audited exactly as through the API.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from contract.languages import KIOSK_LANGS
from contract.places import WEEKDAYS, Offer, PlaceKind
from server.api import places as place_api
from server.api.deps import CsrfChecked, RegistryDep, SessionDep
from server.api.notices import publisher_of
from server.console.access import PagePrincipal, may_write, require_role
from server.console.notices import LANG_NAMES, Targets
from server.console.templating import render
from server.registry.db import Registry
from server.registry.models import Area, PlaceRow, Role
from server.registry.places import list_places
from server.registry.tokens import Principal

router = APIRouter(include_in_schema=False)
_WINDOW = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–〜~]\s*(\d{1,2}:\d{2})\s*$")
DONE = {"added", "saved", "removed"}


def windows_text(windows: list[dict[str, str]]) -> str:
    return ", ".join(f"{w['start']}-{w['end']}" for w in windows)


@dataclass
class PlaceForm:
    """The editor's values as typed, and problems by field (message keys or API messages)."""

    id: str = ""
    target: str = "all"
    kind: str = PlaceKind.COOLING_SHELTER.value
    names: dict[str, str] = field(default_factory=lambda: dict.fromkeys(KIOSK_LANGS, ""))
    latitude: str = ""
    longitude: str = ""
    address: str = ""
    offers: list[str] = field(default_factory=list)
    always: bool = False
    special_alert: bool = False
    weekly: dict[str, str] = field(default_factory=lambda: dict.fromkeys(WEEKDAYS, ""))
    closed_dates: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, form: Mapping[str, str], offers: list[str]) -> "PlaceForm":
        def get(name: str) -> str:
            return form.get(name, "").strip()

        return cls(
            id=get("id"),
            target=get("target") or "all",
            kind=get("kind"),
            names={lang: get(f"name_{lang}") for lang in KIOSK_LANGS},
            latitude=get("latitude"),
            longitude=get("longitude"),
            address=get("address"),
            offers=offers,
            always=bool(get("always")),
            special_alert=bool(get("special_alert")),
            weekly={day: get(f"hours_{day}") for day in WEEKDAYS},
            closed_dates=get("closed_dates"),
        )

    @classmethod
    def of(cls, row: PlaceRow) -> "PlaceForm":
        hours: dict[str, Any] = dict(row.hours)
        weekly: dict[str, list[dict[str, str]]] = hours.get("weekly", {})
        return cls(
            id=row.id,
            target=row.scope,
            kind=row.kind,
            names={lang: row.name.get(lang, "") for lang in KIOSK_LANGS},
            latitude=f"{row.latitude}",
            longitude=f"{row.longitude}",
            address=row.address or "",
            offers=list(row.offers),
            always=bool(hours.get("always")),
            special_alert=bool(hours.get("special_alert")),
            weekly={day: windows_text(weekly.get(day, [])) for day in WEEKDAYS},
            closed_dates=", ".join(hours.get("closed_dates", [])),
        )

    def _number(self, name: str, text: str) -> float | None:
        try:
            return float(text)
        except ValueError:
            self.errors[name] = "places.error.number"
            return None

    def body(self) -> dict[str, Any] | None:
        """What the API takes (PlaceNew's fields), or None with ``errors`` set."""
        for lang in KIOSK_LANGS:
            if not self.names[lang]:
                self.errors[f"name_{lang}"] = "places.error.name_required"
        latitude = self._number("latitude", self.latitude)
        longitude = self._number("longitude", self.longitude)
        weekly: dict[str, list[dict[str, str]]] = {}
        for day, text in self.weekly.items():
            parts = [p for p in re.split(r"[,、]", text) if p.strip()]
            matches = [_WINDOW.match(p) for p in parts]
            if not all(matches):
                self.errors[f"hours_{day}"] = "places.error.window"
                continue
            if parts:
                weekly[day] = [
                    {"start": m.group(1).zfill(5), "end": m.group(2).zfill(5)} for m in matches if m
                ]
        dates = [d for d in re.split(r"[\s,、]+", self.closed_dates) if d]
        target: dict[str, str] = {"scope": "all"}
        if self.target != "all":
            prefix, _, name = self.target.partition(":")
            target = {"scope": "area" if prefix == "area" else "station", "id": name}
        if self.errors:
            return None
        return {
            "id": self.id,
            "target": target,
            "kind": self.kind,
            "name": dict(self.names),
            "latitude": latitude,
            "longitude": longitude,
            "address": self.address or None,
            "offers": self.offers,
            "hours": {
                "always": self.always,
                "weekly": weekly,
                "closed_dates": dates,
                "special_alert": self.special_alert,
            },
        }

    def checked(self, new: bool) -> place_api.PlaceNew | place_api.PlaceIn | None:
        body = self.body()
        if body is None:
            return None
        try:
            if new:
                return place_api.PlaceNew.model_validate(body)
            return place_api.PlaceIn.model_validate({k: v for k, v in body.items() if k != "id"})
        except ValidationError as exc:
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else "form"
                key = name if name in ("id", "latitude", "longitude", "address") else "form"
                self.errors[key] = f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"
            return None


def _areas(session: Session) -> dict[str, str]:
    return {a.id: a.name_ja for a in session.query(Area)}


def _editor(
    request: Request,
    principal: Principal,
    session: Session,
    form: PlaceForm,
    row: PlaceRow | None,
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        "form": form,
        "row": row,
        "targets": Targets.load(session),
        "area_names": _areas(session),
        "langs": KIOSK_LANGS,
        "lang_names": LANG_NAMES,
        "kinds": [k.value for k in PlaceKind],
        "offer_values": [o.value for o in Offer],
        "weekdays": WEEKDAYS,
        "may_write": may_write(principal),
    }
    return render(request, "places/editor.html", context, principal, status_code=status_code)


@router.get("/places", response_class=HTMLResponse)
def places_page(
    request: Request, principal: PagePrincipal, session: SessionDep, done: str = ""
) -> HTMLResponse:
    context = {
        "rows": list_places(session),
        "area_names": _areas(session),
        "may_write": may_write(principal),
        "done": done if done in DONE else "",
        "weekdays": WEEKDAYS,
        "windows_text": windows_text,
    }
    return render(request, "places/list.html", context, principal)


@router.get("/places/-/new", response_class=HTMLResponse)
def new_place_page(request: Request, principal: PagePrincipal, session: SessionDep) -> HTMLResponse:
    require_role(principal, Role.STAFF)
    return _editor(request, principal, session, PlaceForm(), None)


@router.get("/places/{place_id}", response_class=HTMLResponse)
def place_page(
    place_id: str, request: Request, principal: PagePrincipal, session: SessionDep
) -> HTMLResponse:
    row = session.get(PlaceRow, place_id)
    if row is None:
        raise HTTPException(404, f"場所 {place_id!r} はありません / no place {place_id!r}")
    return _editor(request, principal, session, PlaceForm.of(row), row)


def _save(
    registry: Registry,
    principal: Principal,
    request: Request,
    body: place_api.PlaceNew | place_api.PlaceIn,
    place_id: str | None,
    form: PlaceForm,
) -> int:
    try:
        publisher = publisher_of(request)
        if place_id is None:
            assert isinstance(body, place_api.PlaceNew)
            place_api.add_place(registry, publisher, principal.name, body)
        else:
            place_api.change_place(registry, publisher, principal.name, place_id, body)
    except HTTPException as exc:
        form.errors["id" if exc.status_code == 409 else "form"] = str(exc.detail)
        return exc.status_code
    return 200


async def _form_of(request: Request) -> PlaceForm:
    fields = await request.form()
    texts = {k: v for k, v in fields.items() if isinstance(v, str)}
    offers = [str(v) for v in fields.getlist("offers") if isinstance(v, str)]
    return PlaceForm.parse(texts, offers)


@router.post("/places/-/new", response_class=HTMLResponse)
async def add_place(
    request: Request, principal: PagePrincipal, _: CsrfChecked, registry: RegistryDep
) -> Response:
    require_role(principal, Role.STAFF)
    form = await _form_of(request)
    body = form.checked(new=True)
    status = 422
    if body is not None:
        status = await run_in_threadpool(_save, registry, principal, request, body, None, form)
    if status == 200:
        return RedirectResponse("/places?done=added", status_code=303)
    with registry.session() as session:
        return _editor(request, principal, session, form, None, status_code=status)


@router.post("/places/{place_id}", response_class=HTMLResponse)
async def save_place(
    place_id: str,
    request: Request,
    principal: PagePrincipal,
    _: CsrfChecked,
    registry: RegistryDep,
) -> Response:
    require_role(principal, Role.STAFF)
    form = await _form_of(request)
    form.id = place_id
    with registry.session() as session:
        row = session.get(PlaceRow, place_id)
        if row is None:
            raise HTTPException(404, f"場所 {place_id!r} はありません / no place {place_id!r}")
    if (await request.form()).get("action") == "remove":
        status = 200
        try:
            await run_in_threadpool(
                place_api.remove_place,
                registry,
                publisher_of(request),
                principal.name,
                place_id,
            )
        except HTTPException as exc:
            form.errors["form"] = str(exc.detail)
            status = exc.status_code
        if status == 200:
            return RedirectResponse("/places?done=removed", status_code=303)
    else:
        body = form.checked(new=False)
        status = 422
        if body is not None:
            status = await run_in_threadpool(
                _save, registry, principal, request, body, place_id, form
            )
        if status == 200:
            return RedirectResponse("/places?done=saved", status_code=303)
    with registry.session() as session:
        return _editor(
            request, principal, session, form, session.get(PlaceRow, place_id), status_code=status
        )
