"""Notices staff write, schedule, update and withdraw: stored in the registry, signed and
published retained (QoS 1) to the stations they are for."""

import logging
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from contract.content import NoticePriority
from server.api.deps import Reader, RegistryDep, SessionDep, Staff
from server.api.errors import CodedError
from server.api.notice_schemas import NoticeIn, NoticeOut, NoticeText, NoticeUpdate, Target
from server.api.notice_schemas import epoch_ms as to_ms
from server.api.schemas import IdInPath, jst, jst_or_none
from server.publish import ContentPublisher, PublishError, RawPublisher
from server.registry.db import now_ms
from server.registry.models import Notice as NoticeRow
from server.registry.models import NoticeImage as NoticeImageRow
from server.registry.notices import (
    RefusedNoticeError,
    as_content,
    image_topic_of,
    list_notices,
    new_id,
    next_version,
    summary,
    target_known,
    topic_of,
)
from server.registry.stations import audit

router = APIRouter(prefix="/api/v1", tags=["notices"])
log = logging.getLogger("kyusui.api.notices")


class NoticeFieldError(HTTPException):
    """A 422 that names the field it is about (``title.ja``, ``target``…), so a form can
    show it next to that field; the API answers it like any other 422."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(422, detail)
        self.field = field


def notice_out(row: NoticeRow) -> NoticeOut:
    return NoticeOut(
        id=row.id,
        version=row.version,
        target=Target.of(row.scope),
        topic=topic_of(row),
        priority=NoticePriority(row.priority),
        title=row.title,
        body=row.body,
        starts_at=jst_or_none(row.starts_at),
        ends_at=jst_or_none(row.ends_at),
        expires_at=jst_or_none(row.expires_at),
        withdrawn=row.withdrawn,
        created_at=jst(row.created_at),
        created_by=row.created_by,
        updated_at=jst_or_none(row.updated_at),
        updated_by=row.updated_by,
        withdrawn_at=jst_or_none(row.withdrawn_at),
        withdrawn_by=row.withdrawn_by,
    )


def publisher_of(request: Request) -> ContentPublisher:
    publisher: ContentPublisher | None = request.app.state.publisher
    if publisher is None:
        raise CodedError(
            503,
            "signing_key_missing",
            "署名鍵が設定されていないため、お知らせを配信できません。"
            "signing_key_file（KYUSUI_SERVER_SIGNING_KEY_FILE）に Ed25519 秘密鍵（PEM）を"
            "設定してください / no content-signing key is configured: set signing_key_file "
            "(KYUSUI_SERVER_SIGNING_KEY_FILE) to the Ed25519 private key (PEM)",
        )
    return publisher


def found(session: Session, notice_id: str) -> NoticeRow:
    row = session.get(NoticeRow, notice_id, with_for_update=True)
    if row is None:
        raise HTTPException(404, f"お知らせ {notice_id!r} はありません / no notice {notice_id!r}")
    return row


def apply_text(row: NoticeRow, body: NoticeText) -> None:
    row.title, row.body = dict(body.title), None if body.body is None else dict(body.body)
    row.priority = body.priority.value
    row.starts_at, row.ends_at = to_ms(body.starts_at), to_ms(body.ends_at)
    row.expires_at = to_ms(body.expires_at)


def publish(publisher: ContentPublisher, session: Session, row: NoticeRow, stamp: int) -> None:
    """Check and publish the row's notice; a refusal or an unconfirmed publication raises,
    and the caller's transaction then stores nothing."""
    with session.no_autoflush:  # the row is checked below before anything is written
        image = session.get(NoticeImageRow, row.id)
    try:
        content = as_content(row, stamp, image)
    except RefusedNoticeError as exc:
        raise NoticeFieldError(
            str(exc).partition(":")[0], f"配信できない内容です / stations would refuse it: {exc}"
        ) from None
    session.flush()
    try:
        if image is not None:  # the picture first: a station then has it with the notice
            if not isinstance(publisher, RawPublisher):
                raise PublishError("this publisher cannot send a notice's picture")
            publisher.publish_raw(image_topic_of(row), b"" if row.withdrawn else image.data)
        publisher.publish(topic_of(row), content)
    except PublishError as exc:
        log.error("notice %s v%d not published: %s", row.id, row.version, exc)
        raise CodedError(
            503,
            "publish_failed",
            f"ブローカーが配信を確認しませんでした。保存していません。もう一度送ってください / "
            f"the broker did not confirm the publication; nothing was saved, send it again: {exc}",
        ) from exc


@router.get("/notices", summary="Notices, newest change first")
def get_notices(
    _: Reader,
    session: SessionDep,
    withdrawn: Annotated[bool | None, Query(description="only (not) withdrawn ones")] = None,
) -> list[NoticeOut]:
    return [notice_out(row) for row in list_notices(session, withdrawn)]


@router.get("/notices/{notice_id}", summary="One notice: version, target, schedule, who/when")
def get_notice(notice_id: IdInPath, _: Reader, session: SessionDep) -> NoticeOut:
    row = session.get(NoticeRow, notice_id)
    if row is None:
        raise HTTPException(404, f"お知らせ {notice_id!r} はありません / no notice {notice_id!r}")
    return notice_out(row)


@router.post(
    "/notices",
    status_code=201,
    summary="Write a notice and publish it to its stations",
    description="署名して対象の局へ配信します（retained, QoS 1）。ブローカーが確認しなければ 503。",
)
def create_notice(body: NoticeIn, who: Staff, registry: RegistryDep, request: Request) -> NoticeOut:
    publisher = publisher_of(request)
    stamp = now_ms()
    notice_id = body.id or new_id(stamp)
    try:
        with registry.session() as session:
            if not target_known(session, body.target.key):
                raise NoticeFieldError(
                    "target",
                    f"target: 登録されていない対象です / unknown {body.target.scope.value} "
                    f"{body.target.id!r} (register areas with PUT /api/v1/areas/{{id}})",
                )
            if session.get(NoticeRow, notice_id) is not None:
                raise HTTPException(
                    409, f"お知らせ {notice_id!r} は既にあります / notice {notice_id!r} exists"
                )
            row = NoticeRow(
                id=notice_id,
                version=next_version(None, stamp),
                scope=body.target.key,
                withdrawn=False,
                created_at=stamp,
                created_by=who.name,
                updated_at=stamp,
                updated_by=who.name,
            )
            apply_text(row, body)
            session.add(row)
            audit(session, who.name, "notice.create", notice_id, summary(row))
            publish(publisher, session, row, stamp)
    except IntegrityError:
        raise HTTPException(
            409, f"お知らせ {notice_id!r} は既にあります / notice {notice_id!r} exists"
        ) from None
    return notice_out(row)


@router.put(
    "/notices/{notice_id}",
    summary="Change a notice's text or schedule: a new version, published again",
)
def update_notice(
    notice_id: IdInPath, body: NoticeUpdate, who: Staff, registry: RegistryDep, request: Request
) -> NoticeOut:
    publisher = publisher_of(request)
    stamp = now_ms()
    with registry.session() as session:
        row = found(session, notice_id)
        if row.withdrawn:
            raise HTTPException(
                409,
                "取り下げ済みのお知らせは変更できません / a withdrawn notice cannot change; "
                "write a new one",
            )
        if body.target is not None and body.target.key != row.scope:
            raise HTTPException(
                409,
                "配信先は変更できません。取り下げて新しく作成してください / the target cannot "
                "change: withdraw this notice and write a new one",
            )
        row.version = next_version(row.version, stamp)
        row.updated_at, row.updated_by = stamp, who.name
        apply_text(row, body)
        audit(session, who.name, "notice.update", notice_id, summary(row))
        publish(publisher, session, row, stamp)
    return notice_out(row)


@router.post(
    "/notices/{notice_id}/withdraw",
    summary="Withdraw a notice: a signed withdrawal replaces it on every station",
)
def withdraw_notice(
    notice_id: IdInPath, who: Staff, registry: RegistryDep, request: Request
) -> NoticeOut:
    publisher = publisher_of(request)
    stamp = now_ms()
    with registry.session() as session:
        row = found(session, notice_id)
        if row.withdrawn:
            raise HTTPException(
                409, f"お知らせ {notice_id!r} は取り下げ済みです / already withdrawn"
            )
        row.version = next_version(row.version, stamp)
        row.withdrawn, row.withdrawn_at, row.withdrawn_by = True, stamp, who.name
        row.updated_at, row.updated_by = stamp, who.name
        audit(session, who.name, "notice.withdraw", notice_id, summary(row))
        publish(publisher, session, row, stamp)
    return notice_out(row)
