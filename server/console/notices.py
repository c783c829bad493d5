"""/notices: the list, the editor with its kiosk preview, and each notice's page with its
receipts and the targeted stations that have not shown it yet.

Writes go through the notice API's own functions (server.api.notices), so a notice written
here is checked, signed, published and audited exactly as one written through the API.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from contract.content import NoticePriority
from contract.languages import KIOSK_LANGS
from server.api import notices as notice_api
from server.api.deps import CsrfChecked, RegistryDep, SessionDep
from server.console.access import PagePrincipal, may_write, require_role
from server.console.notice_form import NoticeForm, field_of
from server.console.notice_preview import CARD_STYLE, preview
from server.console.templating import render, render_text
from server.registry.db import Registry, now_ms
from server.registry.models import Area, EnrolmentState, Role, Station
from server.registry.models import Notice as NoticeRow
from server.registry.models import NoticeImage as NoticeImageRow
from server.registry.notices import list_notices
from server.registry.reach import latest_receipts, reach
from server.registry.tokens import Principal

router = APIRouter(include_in_schema=False)

# Each kiosk language by its own name, as the kiosk's language bar shows it.
LANG_NAMES = {
    "ja": "日本語",
    "ja-easy": "やさしい日本語",
    "en": "English",
    "zh": "中文",
    "ko": "한국어",
    "vi": "Tiếng Việt",
}
RECEIPTS_SHOWN = 200
RECEIPTS_SINCE = timedelta(days=31)
DONE_MESSAGES = {"published", "updated", "withdrawn", "picture"}


def status_of(row: NoticeRow, now: int) -> str:
    """withdrawn, expired, ended, scheduled or showing: what the screens do with it now."""
    if row.withdrawn:
        return "withdrawn"
    if row.expires_at is not None and row.expires_at <= now:
        return "expired"
    if row.ends_at is not None and row.ends_at <= now:
        return "ended"
    if row.starts_at is not None and row.starts_at > now:
        return "scheduled"
    return "showing"


@dataclass(frozen=True, slots=True)
class Targets:
    """What the editor offers as a target: the areas and the stations that are not retired."""

    areas: list[tuple[str, str]]  # (id, name)
    stations: list[tuple[str, str]]

    @classmethod
    def load(cls, session: Session) -> "Targets":
        stations = session.scalars(
            select(Station)
            .where(Station.state != EnrolmentState.RETIRED.value)
            .order_by(Station.id)
        ).all()
        names = {a.id: a.name_ja for a in session.scalars(select(Area).order_by(Area.id))}
        for station in stations:
            if station.area_id and station.area_id not in names:
                names[station.area_id] = station.area_id
        return cls(
            areas=sorted(names.items()),
            stations=[(s.id, s.name_ja or s.id) for s in stations],
        )


def _common(principal: Principal, session: Session) -> dict[str, Any]:
    return {
        "area_names": {a.id: a.name_ja for a in session.scalars(select(Area))},
        "langs": KIOSK_LANGS,
        "lang_names": LANG_NAMES,
        "priorities": [p.value for p in NoticePriority],
        "may_write": may_write(principal),
        "card_style": CARD_STYLE,
    }


def _editor(
    request: Request,
    principal: Principal,
    session: Session,
    form: NoticeForm,
    row: NoticeRow | None,
    *,
    show_preview: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    context = _common(principal, session) | {
        "form": form,
        "row": row,
        "targets": Targets.load(session),
        "cards": preview(form.texts(form.title), form.texts(form.body), form.priority)
        if show_preview
        else None,
    }
    return render(request, "notices/editor.html", context, principal, status_code=status_code)


def _found(session: Session, notice_id: str) -> NoticeRow:
    row = session.get(NoticeRow, notice_id)
    if row is None:
        raise HTTPException(404, f"お知らせ {notice_id!r} はありません / no notice {notice_id!r}")
    return row


def _refused(form: NoticeForm, exc: HTTPException) -> int:
    """Put the API's refusal next to its field (or above the form); the status to answer."""
    where = getattr(exc, "field", None)
    form.errors[field_of(where) if isinstance(where, str) else "form"] = str(exc.detail)
    return exc.status_code


@router.get("/notices", response_class=HTMLResponse)
def notice_list(
    request: Request, principal: PagePrincipal, session: SessionDep, show: str = "current"
) -> HTMLResponse:
    withdrawn = {"current": False, "withdrawn": True}.get(show)
    now = now_ms()
    rows = [(row, status_of(row, now)) for row in list_notices(session, withdrawn)]
    context = _common(principal, session) | {
        "rows": rows,
        "show": show if withdrawn is not None else "all",
    }
    return render(request, "notices/list.html", context, principal)


@router.get("/notices/-/new", response_class=HTMLResponse)
def notice_new(request: Request, principal: PagePrincipal, session: SessionDep) -> HTMLResponse:
    require_role(principal, Role.STAFF)
    return _editor(request, principal, session, NoticeForm(), None)


def _create(
    registry: Registry, principal: Principal, request: Request, form: NoticeForm
) -> tuple[str | None, int]:
    """Publish the form's notice: its id, or None and the status with ``form.errors`` set."""
    notice = form.new_notice(now_ms())
    if notice is None:
        return None, 422
    try:
        out = notice_api.create_notice(notice, principal, registry, request)
    except HTTPException as exc:
        return None, _refused(form, exc)
    return out.id, 201


@router.post("/notices", response_class=HTMLResponse)
async def notice_create(
    request: Request, principal: PagePrincipal, _: CsrfChecked, registry: RegistryDep
) -> Response:
    require_role(principal, Role.STAFF)
    fields = await request.form()
    form = NoticeForm.parse({k: v for k, v in fields.items() if isinstance(v, str)})
    if fields.get("action") == "preview":
        form.new_notice(now_ms())  # the same checks, shown next to the preview
        with registry.session() as session:
            return _editor(request, principal, session, form, None, show_preview=True)
    notice_id, status = await run_in_threadpool(_create, registry, principal, request, form)
    if notice_id is not None:
        return RedirectResponse(f"/notices/{notice_id}?done=published", status_code=303)
    with registry.session() as session:
        return _editor(request, principal, session, form, None, status_code=status)


def _detail(
    request: Request,
    principal: Principal,
    session: Session,
    row: NoticeRow,
    *,
    done: str = "",
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    now = now_ms()
    since = now - int(RECEIPTS_SINCE.total_seconds() * 1000)
    stations = reach(session, row)
    receipts = latest_receipts(session, row.id, since, RECEIPTS_SHOWN + 1)
    names = {s.id: s.name_ja or s.id for s in session.scalars(select(Station))}
    context = _common(principal, session) | {
        "row": row,
        "status": status_of(row, now),
        "cards": None if row.withdrawn else preview(row.title, row.body, row.priority),
        "shown": [s for s in stations if s.has_shown(row.version)],
        "waiting": [s for s in stations if not s.has_shown(row.version)],
        "receipts": receipts[:RECEIPTS_SHOWN],
        "more_receipts": len(receipts) > RECEIPTS_SHOWN,
        "station_names": names,
        "done": done if done in DONE_MESSAGES else "",
        "error": error,
        "picture": session.get(NoticeImageRow, row.id),
    }
    return render(request, "notices/detail.html", context, principal, status_code=status_code)


def notice_detail(
    request: Request,
    principal: Principal,
    session: Session,
    notice_id: str,
    error: str,
    status_code: int,
) -> HTMLResponse:
    """The notice's page with an error above it (server.console.notice_picture)."""
    row = _found(session, notice_id)
    return _detail(request, principal, session, row, error=error, status_code=status_code)


@router.post("/notices/-/preview", response_class=HTMLResponse)
async def notice_preview(
    request: Request, principal: PagePrincipal, _: CsrfChecked, registry: RegistryDep
) -> HTMLResponse:
    """The preview's cards alone, for the editor's script to show as staff type."""
    require_role(principal, Role.STAFF)
    fields = await request.form()
    form = NoticeForm.parse({k: v for k, v in fields.items() if isinstance(v, str)})
    with registry.session() as session:
        context = _common(principal, session) | {
            "cards": preview(form.texts(form.title), form.texts(form.body), form.priority)
        }
    return HTMLResponse(render_text(request, "notices/_preview.html", context, principal))


@router.get("/notices/{notice_id}", response_class=HTMLResponse)
def notice_page(
    notice_id: str,
    request: Request,
    principal: PagePrincipal,
    session: SessionDep,
    done: str = "",
) -> HTMLResponse:
    return _detail(request, principal, session, _found(session, notice_id), done=done)


@router.get("/notices/{notice_id}/edit", response_class=HTMLResponse)
def notice_edit(
    notice_id: str, request: Request, principal: PagePrincipal, session: SessionDep
) -> Response:
    require_role(principal, Role.STAFF)
    row = _found(session, notice_id)
    if row.withdrawn:
        return RedirectResponse(f"/notices/{notice_id}", status_code=303)
    return _editor(request, principal, session, NoticeForm.of(row), row)


def _update(
    registry: Registry, principal: Principal, request: Request, notice_id: str, form: NoticeForm
) -> int:
    notice = form.update(now_ms())
    if notice is None:
        return 422
    try:
        notice_api.update_notice(notice_id, notice, principal, registry, request)
    except HTTPException as exc:
        return _refused(form, exc)
    return 200


@router.post("/notices/{notice_id}", response_class=HTMLResponse)
async def notice_update(
    notice_id: str,
    request: Request,
    principal: PagePrincipal,
    _: CsrfChecked,
    registry: RegistryDep,
) -> Response:
    require_role(principal, Role.STAFF)
    fields = await request.form()
    form = NoticeForm.parse({k: v for k, v in fields.items() if isinstance(v, str)})
    with registry.session() as session:
        row = _found(session, notice_id)
        target = NoticeForm.of(row)
    form.scope, form.area, form.station = target.scope, target.area, target.station
    if fields.get("action") == "preview":
        form.update(now_ms())
        with registry.session() as session:
            return _editor(request, principal, session, form, row, show_preview=True)
    status = await run_in_threadpool(_update, registry, principal, request, notice_id, form)
    if status == 200:
        return RedirectResponse(f"/notices/{notice_id}?done=updated", status_code=303)
    with registry.session() as session:
        return _editor(request, principal, session, form, row, status_code=status)


@router.post("/notices/{notice_id}/withdraw", response_class=HTMLResponse)
async def notice_withdraw(
    notice_id: str,
    request: Request,
    principal: PagePrincipal,
    _: CsrfChecked,
    registry: RegistryDep,
) -> Response:
    require_role(principal, Role.STAFF)
    try:
        await run_in_threadpool(notice_api.withdraw_notice, notice_id, principal, registry, request)
    except HTTPException as exc:
        if exc.status_code == 404:
            raise
        with registry.session() as session:
            row = _found(session, notice_id)
            return _detail(
                request, principal, session, row, error=str(exc.detail), status_code=exc.status_code
            )
    return RedirectResponse(f"/notices/{notice_id}?done=withdrawn", status_code=303)
