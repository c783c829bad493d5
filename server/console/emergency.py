"""/emergency: disaster mode (避難所開設情報) — what is in force for every station or an
area, which stations in its scope have not yet confirmed it on their screens; staff switch
it on (message and open shelters in every kiosk language) and withdraw it.

Switching goes through the API's own functions (server.api.emergency): signed, published,
audited exactly as through the API.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from contract.languages import KIOSK_LANGS
from server.api.deps import CsrfChecked, RegistryDep, SessionDep
from server.api.emergency import (
    EmergencyIn,
    WithdrawIn,
    emergency_out,
    put_emergency,
    withdraw_emergency,
)
from server.console.access import PagePrincipal, may_write, require_role
from server.console.notices import LANG_NAMES
from server.console.templating import render
from server.registry.db import Registry
from server.registry.emergencies import list_emergencies
from server.registry.models import Area, Role, Station
from server.registry.tokens import Principal

router = APIRouter(include_in_schema=False)


@dataclass
class EmergencyForm:
    """The form as typed: a message per language, and per language one shelter a line
    (the n-th line of every language is the same shelter)."""

    scope: str = "all"  # all | area:{id}
    messages: dict[str, str] = field(default_factory=lambda: dict.fromkeys(KIOSK_LANGS, ""))
    shelters: dict[str, str] = field(default_factory=lambda: dict.fromkeys(KIOSK_LANGS, ""))
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, form: Mapping[str, str]) -> "EmergencyForm":
        return cls(
            scope=form.get("scope", "all").strip() or "all",
            messages={lang: form.get(f"message_{lang}", "").strip() for lang in KIOSK_LANGS},
            shelters={lang: form.get(f"shelters_{lang}", "").strip() for lang in KIOSK_LANGS},
        )

    @property
    def area(self) -> str | None:
        kind, _, name = self.scope.partition(":")
        return name if kind == "area" and name else None

    def checked(self) -> EmergencyIn | None:
        for lang, text in self.messages.items():
            if not text:
                self.errors[f"message_{lang}"] = "disaster.error.every_language"
        lines = {
            lang: [line.strip() for line in text.splitlines() if line.strip()]
            for lang, text in self.shelters.items()
        }
        counts = {len(v) for v in lines.values()}
        if len(counts) > 1:
            self.errors["shelters_ja"] = "disaster.error.shelter_lines"
        if self.errors:
            return None
        count = counts.pop() if counts else 0
        shelters = [{"name": {lang: lines[lang][i] for lang in KIOSK_LANGS}} for i in range(count)]
        try:
            return EmergencyIn.model_validate(
                {"area": self.area, "message": self.messages, "shelters": shelters}
            )
        except ValidationError as exc:
            self.errors["form"] = "; ".join(str(e["msg"]) for e in exc.errors())
            return None


def _areas(session: Session) -> list[str]:
    named = set(session.scalars(select(Area.id)))
    used = {a for a in session.scalars(select(Station.area_id).distinct()) if a}
    return sorted(named | used)


def _page(
    request: Request,
    principal: Principal,
    session: Session,
    form: EmergencyForm,
    *,
    done: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        "in_force": [emergency_out(session, row) for row in list_emergencies(session, False)],
        "areas": _areas(session),
        "form": form,
        "may_write": may_write(principal),
        "done": done if done in ("set", "withdrawn") else "",
        "lang_names": LANG_NAMES,
    }
    return render(request, "emergency/page.html", context, principal, status_code=status_code)


@router.get("/emergency", response_class=HTMLResponse)
def emergency_page(
    request: Request, principal: PagePrincipal, session: SessionDep, done: str = ""
) -> HTMLResponse:
    return _page(request, principal, session, EmergencyForm(), done=done)


def _call(
    registry: Registry,
    principal: Principal,
    request: Request,
    body: EmergencyIn | WithdrawIn,
    form: EmergencyForm,
) -> int:
    try:
        with registry.session() as session:
            if isinstance(body, EmergencyIn):
                put_emergency(body, principal, session, request)
            else:
                withdraw_emergency(body, principal, session, request)
    except HTTPException as exc:
        form.errors["form"] = str(exc.detail)
        return exc.status_code
    return 200


@router.post("/emergency", response_class=HTMLResponse)
async def emergency_set(
    request: Request, principal: PagePrincipal, _: CsrfChecked, registry: RegistryDep
) -> Response:
    require_role(principal, Role.STAFF)
    fields = await request.form()
    form = EmergencyForm.parse({k: v for k, v in fields.items() if isinstance(v, str)})
    withdrawing = fields.get("action") == "withdraw"
    body: EmergencyIn | WithdrawIn | None
    if withdrawing:
        try:
            body = WithdrawIn(area=form.area)
        except ValidationError:
            body = None
        form = EmergencyForm(errors={} if body else {"form": "disaster.error.scope"})
    else:
        body = form.checked()
    status = 422
    if body is not None:
        status = await run_in_threadpool(_call, registry, principal, request, body, form)
    if status == 200:
        done = "withdrawn" if withdrawing else "set"
        return RedirectResponse(f"/emergency?done={done}", status_code=303)
    with registry.session() as session:
        return _page(request, principal, session, form, status_code=status)
