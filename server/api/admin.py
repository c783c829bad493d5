"""API tokens for machine clients, quarantined messages, the audit log."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel
from sqlalchemy import select

from contract.messages import MAX_SAFE_INTEGER
from server.api.deps import Admin, SessionDep, Staff
from server.api.schemas import (
    IdInQuery,
    NewTokenOut,
    QuarantinedOut,
    RowIdInPath,
    TokenIn,
    TokenOut,
    jst,
    jst_or_none,
)
from server.registry import quarantine, tokens
from server.registry.db import now_ms
from server.registry.models import ApiToken, AuditEntry, Role
from server.registry.stations import audit

router = APIRouter(prefix="/api/v1", tags=["administration"])


def token_out(row: ApiToken) -> TokenOut:
    return TokenOut(
        id=row.id,
        name=row.name,
        role=Role(row.role),
        created_at=jst(row.created_at),
        revoked_at=jst_or_none(row.revoked_at),
    )


@router.post("/tokens", status_code=201, summary="Create an API token (shown once)")
def create_token(body: TokenIn, who: Admin, session: SessionDep) -> NewTokenOut:
    token_id, token = tokens.issue(session, body.name, body.role)
    audit(session, who.name, "token.create", str(token_id), body.role.value)
    row = session.get(ApiToken, token_id)
    assert row is not None
    return NewTokenOut(**token_out(row).model_dump(), token=token)


@router.get("/tokens")
def list_tokens(_: Admin, session: SessionDep) -> list[TokenOut]:
    return [token_out(r) for r in session.scalars(select(ApiToken).order_by(ApiToken.id))]


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: RowIdInPath, who: Admin, session: SessionDep) -> Response:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise HTTPException(404, f"トークン {token_id} はありません / no token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = now_ms()
        audit(session, who.name, "token.revoke", str(token_id))
    return Response(status_code=204)


@router.get("/quarantine", tags=["ingest"], summary="Messages refused by ingest, newest first")
def quarantined(
    _: Staff,
    session: SessionDep,
    station: IdInQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_SAFE_INTEGER)] = None,
) -> list[QuarantinedOut]:
    return [
        QuarantinedOut(
            id=q.id,
            received_at=jst(q.received_at),
            topic=q.topic,
            station_id=q.station_id,
            reason=q.reason,
            detail=q.detail,
            payload_size=q.payload_size,
            payload_text=q.payload[:2000].decode("utf-8", errors="replace"),
        )
        for q in quarantine.recent(session, station, limit, before_id)
    ]


class AuditOut(BaseModel):
    id: int
    at: str
    actor: str
    action: str
    target: str
    detail: str


@router.get("/audit", summary="Who changed what, newest first")
def audit_log(
    _: Admin, session: SessionDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[AuditOut]:
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
    return [
        AuditOut(
            id=r.id,
            at=jst(r.at).isoformat(),
            actor=r.actor,
            action=r.action,
            target=r.target,
            detail=r.detail,
        )
        for r in rows
    ]
