"""/admin: staff accounts and roles, API tokens (shown once), quarantined messages with the
reason for each, and the audit log.

Users change through the registry's users functions, tokens through the token API's own
functions: every change is audited as it is through the API. Accounts, tokens and the
audit log are for admins, as in the API; quarantine is for staff and above.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.api import admin as admin_api
from server.api.deps import CsrfChecked, RegistryDep, SessionDep
from server.api.schemas import TokenIn
from server.api.users import UserIn
from server.auth.passwords import generate_password
from server.console.access import PagePrincipal, require_role
from server.console.templating import render
from server.registry import quarantine, users
from server.registry.models import ApiToken, AuditEntry, QuarantinedMessage, Role, User
from server.registry.tokens import Principal

router = APIRouter(include_in_schema=False)
PAGE = 100
ROLES = [r.value for r in (Role.READER, Role.STAFF, Role.ADMIN)]
Text = Annotated[str, Form(max_length=1000)]
# Quarantine reasons with an explanation in the catalogues (docs/protocol.md §8).
REASONS = frozenset(
    [
        "too_large",
        "encoding",
        "json",
        "version",
        "schema",
        "topic",
        "id",
        "store_rejected",
        "unsigned",
        "signature",
        "kind",
        "expired",
        "stale",
    ]
)


def _render(
    request: Request,
    principal: Principal,
    template: str,
    context: dict[str, Any],
    status_code: int = 200,
    *,
    secret: bool = False,
) -> HTMLResponse:
    page = render(request, template, {"roles": ROLES} | context, principal, status_code)
    if secret:  # a password or token shown once: never from a cache, never again
        page.headers["Cache-Control"] = "no-store"
    return page


@router.get("/admin", response_class=HTMLResponse)
def admin_index(request: Request, principal: PagePrincipal, session: SessionDep) -> HTMLResponse:
    require_role(principal, Role.ADMIN)

    def count(model: type[Any], *where: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    counts = {
        "users": count(User, User.disabled_at.is_(None)),
        "tokens": count(ApiToken, ApiToken.revoked_at.is_(None)),
        "quarantine": count(QuarantinedMessage),
        "audit": count(AuditEntry),
    }
    return _render(request, principal, "admin/index.html", {"counts": counts})


# --- users --------------------------------------------------------------------------------


def _users_page(
    request: Request,
    principal: Principal,
    session: Session,
    *,
    error: str = "",
    added: dict[str, str] | None = None,
    secret: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        "users": users.list_users(session),
        "error": error,
        "added": added or {"login": "", "display_name": "", "role": Role.STAFF.value},
        "secret": secret,
    }
    return _render(
        request, principal, "admin/users.html", context, status_code, secret=secret is not None
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, principal: PagePrincipal, session: SessionDep) -> HTMLResponse:
    require_role(principal, Role.ADMIN)
    return _users_page(request, principal, session)


@router.post("/admin/users", response_class=HTMLResponse)
def user_add(
    request: Request,
    principal: PagePrincipal,
    _: CsrfChecked,
    registry: RegistryDep,
    login: Text = "",
    display_name: Text = "",
    role: Text = Role.STAFF.value,
) -> HTMLResponse:
    require_role(principal, Role.ADMIN)
    with registry.session() as session:  # committed before the answer leaves
        return _add_user(request, principal, session, login, display_name, role)


def _add_user(
    request: Request,
    principal: Principal,
    session: Session,
    login: str,
    display_name: str,
    role: str,
) -> HTMLResponse:
    typed = {"login": login.strip(), "display_name": display_name.strip(), "role": role}
    try:
        body = UserIn.model_validate(typed)
    except ValidationError as exc:
        where = str(exc.errors()[0]["loc"][0])
        return _users_page(
            request, principal, session, error=f"admin.error.{where}", added=typed, status_code=422
        )
    password = generate_password()
    try:
        users.create(
            session,
            body.login,
            body.display_name,
            body.role,
            actor=principal.name,
            password=password,
        )
    except users.UserError as exc:
        return _users_page(
            request, principal, session, error=exc.message, added=typed, status_code=409
        )
    secret = {"login": body.login, "password": password, "kind": "new_user"}
    return _users_page(request, principal, session, secret=secret, status_code=201)


def _user(session: Session, user_id: int) -> User:
    try:
        return users.get(session, user_id)
    except users.UserError as exc:
        raise HTTPException(404, exc.message) from None


def _change(
    request: Request, principal: Principal, session: Session, change: Any, *args: Any
) -> Response:
    try:
        change(*args, actor=principal.name)
    except users.UserError as exc:  # refused before anything changed
        return _users_page(request, principal, session, error=exc.message, status_code=409)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}/role", response_class=HTMLResponse)
def user_role(
    user_id: int,
    request: Request,
    principal: PagePrincipal,
    _: CsrfChecked,
    registry: RegistryDep,
    role: Text = "",
) -> Response:
    require_role(principal, Role.ADMIN)
    with registry.session() as session:
        if role not in ROLES:
            return _users_page(
                request, principal, session, error="admin.error.role", status_code=422
            )
        user = _user(session, user_id)
        return _change(request, principal, session, users.set_role, session, user, Role(role))


@router.post("/admin/users/{user_id}/disabled", response_class=HTMLResponse)
def user_disabled(
    user_id: int,
    request: Request,
    principal: PagePrincipal,
    _: CsrfChecked,
    registry: RegistryDep,
    disabled: Text = "",
) -> Response:
    require_role(principal, Role.ADMIN)
    with registry.session() as session:
        user = _user(session, user_id)
        off = disabled == "true"
        return _change(request, principal, session, users.set_disabled, session, user, off)


@router.post("/admin/users/{user_id}/password", response_class=HTMLResponse)
def user_password(
    user_id: int,
    request: Request,
    principal: PagePrincipal,
    _: CsrfChecked,
    registry: RegistryDep,
) -> HTMLResponse:
    require_role(principal, Role.ADMIN)
    with registry.session() as session:
        user = _user(session, user_id)
        password = generate_password()
        users.set_password(session, user, password, actor=principal.name)
        secret = {"login": user.login, "password": password, "kind": "new_password"}
        return _users_page(request, principal, session, secret=secret)


# --- API tokens ---------------------------------------------------------------------------


def _tokens_page(
    request: Request,
    principal: Principal,
    session: Session,
    *,
    error: str = "",
    token: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        "tokens": admin_api.list_tokens(principal, session),
        "error": error,
        "token": token,
    }
    return _render(
        request, principal, "admin/tokens.html", context, status_code, secret=bool(token)
    )


@router.get("/admin/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, principal: PagePrincipal, session: SessionDep) -> HTMLResponse:
    require_role(principal, Role.ADMIN)
    return _tokens_page(request, principal, session)


@router.post("/admin/tokens", response_class=HTMLResponse)
def token_create(
    request: Request,
    principal: PagePrincipal,
    _: CsrfChecked,
    registry: RegistryDep,
    name: Text = "",
    role: Text = Role.READER.value,
) -> HTMLResponse:
    require_role(principal, Role.ADMIN)
    with registry.session() as session:
        try:
            body = TokenIn.model_validate({"name": name.strip(), "role": role})
        except ValidationError as exc:
            where = str(exc.errors()[0]["loc"][0])
            return _tokens_page(
                request, principal, session, error=f"admin.error.token_{where}", status_code=422
            )
        created = admin_api.create_token(body, principal, session)
        return _tokens_page(request, principal, session, token=created.token, status_code=201)


@router.post("/admin/tokens/{token_id}/revoke", response_class=HTMLResponse)
def token_revoke(
    token_id: int, principal: PagePrincipal, _: CsrfChecked, registry: RegistryDep
) -> Response:
    require_role(principal, Role.ADMIN)
    with registry.session() as session:
        admin_api.revoke_token(token_id, principal, session)
    return RedirectResponse("/admin/tokens", status_code=303)


# --- quarantine and audit -----------------------------------------------------------------


@router.get("/admin/quarantine", response_class=HTMLResponse)
def quarantine_page(
    request: Request,
    principal: PagePrincipal,
    session: SessionDep,
    station: Annotated[str, Query(max_length=64)] = "",
    before_id: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    require_role(principal, Role.STAFF)
    rows = quarantine.recent(session, station or None, PAGE + 1, before_id)
    context = {
        "rows": [(q, q.payload[:2000].decode("utf-8", errors="replace")) for q in rows[:PAGE]],
        "older": rows[PAGE - 1].id if len(rows) > PAGE else None,
        "station": station,
        "total": quarantine.count(session),
        "reasons": REASONS,
    }
    return _render(request, principal, "admin/quarantine.html", context)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    principal: PagePrincipal,
    session: SessionDep,
    before_id: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    require_role(principal, Role.ADMIN)
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(PAGE + 1)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    rows = list(session.scalars(query))
    context = {"rows": rows[:PAGE], "older": rows[PAGE - 1].id if len(rows) > PAGE else None}
    return _render(request, principal, "admin/audit.html", context)
