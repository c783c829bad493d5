"""/heat-alert: the 熱中症警戒アラート / 特別警戒アラート every station shows first — what is
set now, its message, validity and who set it; staff set or clear it.

Setting goes through the heat-alert API's own function (server.api.heat_alert), so it is
signed, published and audited exactly as through the API; what is set now is read back
from that audit entry, which keeps the whole alert as published.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from contract.content import ALERT_COLOURS, AlertKind
from contract.jst import JST
from contract.languages import KIOSK_LANGS
from server.api.deps import CsrfChecked, RegistryDep, SessionDep
from server.api.heat_alert import HeatAlertIn, set_heat_alert
from server.console.access import PagePrincipal, may_write, require_role
from server.console.notices import LANG_NAMES
from server.console.templating import render
from server.official.current import current_alert
from server.registry.db import Registry, now_ms
from server.registry.models import Role
from server.registry.tokens import Principal

router = APIRouter(include_in_schema=False)


@dataclass
class AlertForm:
    """The form's values as typed, and problems by field (message keys or API messages)."""

    alert: str = AlertKind.HEATSTROKE_ALERT.value
    area: str = ""
    forecast_wbgt: str = ""
    valid_on: str = ""
    # A message per kiosk language, as typed; Japanese is required once any is given.
    messages: dict[str, str] = field(default_factory=lambda: dict.fromkeys(KIOSK_LANGS, ""))
    expires_at: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, form: Mapping[str, str]) -> "AlertForm":
        def get(name: str) -> str:
            return form.get(name, "").strip()

        return cls(
            alert=get("alert") or AlertKind.HEATSTROKE_ALERT.value,
            area=get("area"),
            forecast_wbgt=get("forecast_wbgt"),
            valid_on=get("valid_on"),
            messages={lang: get(f"message_{lang}") for lang in KIOSK_LANGS},
            expires_at=get("expires_at"),
        )

    def checked(self, now: int) -> HeatAlertIn | None:
        """What the API takes, or None with ``errors`` set."""
        if self.alert not in {k.value for k in AlertKind}:
            self.errors["alert"] = "heat.error.alert"
        forecast: float | None = None
        if self.forecast_wbgt:
            try:
                forecast = float(self.forecast_wbgt)
            except ValueError:
                forecast = -1.0
            if not 0 <= forecast <= 60:
                self.errors["forecast_wbgt"] = "heat.error.forecast"
        if self.valid_on:
            try:
                datetime.strptime(self.valid_on, "%Y-%m-%d")
            except ValueError:
                self.errors["valid_on"] = "heat.error.valid_on"
        given = {lang: text for lang, text in self.messages.items() if text}
        if given and "ja" not in given:
            self.errors["message_ja"] = "heat.error.message_ja_required"
        expires: datetime | None = None
        if self.expires_at:
            try:
                expires = datetime.fromisoformat(self.expires_at).replace(tzinfo=JST)
            except ValueError:
                self.errors["expires_at"] = "heat.error.bad_time"
            else:
                if expires.timestamp() * 1000 <= now:
                    self.errors["expires_at"] = "heat.error.expiry_past"
        if self.errors:
            return None
        try:
            return HeatAlertIn(
                alert=AlertKind(self.alert),
                area=self.area or None,
                forecast_wbgt=forecast,
                valid_on=self.valid_on or None,
                message=given or None,
                expires_at=expires,
            )
        except ValidationError as exc:
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else "form"
                self.errors[name if name in self.__dataclass_fields__ else "form"] = (
                    f"{name}: {error['msg']}"
                )
            return None


def _page(
    request: Request,
    principal: Principal,
    session: Session,
    form: AlertForm,
    *,
    done: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    now = now_ms()
    state = current_alert(session)
    context = {
        "state": state,
        "active": state is not None and state.active(now),
        "expired": state is not None and state.expired(now),
        "form": form,
        "kinds": [AlertKind.HEATSTROKE_ALERT.value, AlertKind.SPECIAL_HEATSTROKE_ALERT.value],
        # The kiosk's own band colours for the two alerts (its text on them is white).
        "colours": {kind.value: colour for kind, colour in ALERT_COLOURS.items()},
        "may_write": may_write(principal),
        "done": done if done in ("set", "cleared") else "",
        "lang_names": LANG_NAMES,
    }
    return render(request, "heat_alert/page.html", context, principal, status_code=status_code)


@router.get("/heat-alert", response_class=HTMLResponse)
def heat_alert_page(
    request: Request, principal: PagePrincipal, session: SessionDep, done: str = ""
) -> HTMLResponse:
    return _page(request, principal, session, AlertForm(), done=done)


def _publish(
    registry: Registry, principal: Principal, request: Request, body: HeatAlertIn, form: AlertForm
) -> int:
    try:
        with registry.session() as session:
            set_heat_alert(body, principal, session, request)
    except HTTPException as exc:
        form.errors["form"] = str(exc.detail)
        return exc.status_code
    except ValidationError as exc:  # what the contract refuses that the form let through
        form.errors["form"] = "; ".join(str(e["msg"]) for e in exc.errors())
        return 422
    return 200


@router.post("/heat-alert", response_class=HTMLResponse)
async def heat_alert_set(
    request: Request, principal: PagePrincipal, _: CsrfChecked, registry: RegistryDep
) -> Response:
    require_role(principal, Role.STAFF)
    fields = await request.form()
    form = AlertForm.parse({k: v for k, v in fields.items() if isinstance(v, str)})
    clearing = fields.get("action") == "clear"
    if clearing:
        form = AlertForm(alert=AlertKind.NONE.value)
    body = form.checked(now_ms())
    status = 422
    if body is not None:
        status = await run_in_threadpool(_publish, registry, principal, request, body, form)
    if status == 200:
        done = "cleared" if clearing else "set"
        return RedirectResponse(f"/heat-alert?done={done}", status_code=303)
    with registry.session() as session:
        return _page(request, principal, session, form, status_code=status)
