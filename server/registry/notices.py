"""Notices in the registry, and the signed content stations receive for them."""

import json
import secrets
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from contract.codec import WIRE_VERSION, load_json, validate
from contract.content import Notice
from contract.errors import ContractError
from contract.jst import JST
from contract.signing import canonical_json
from contract.topics import IMAGE, Scope, notice_topic
from server.registry.models import Area, EnrolmentState, Station
from server.registry.models import Notice as NoticeRow
from server.registry.models import NoticeImage as NoticeImageRow

# An envelope's kid and sig have fixed lengths, so a stand-in gives the exact size.
_KID, _SIG = "k" * 11, "s" * 86


class RefusedNoticeError(ValueError):
    """A station would refuse this notice; the message says why (field: reason)."""


def new_id(now_ms: int) -> str:
    day = datetime.fromtimestamp(now_ms / 1000, tz=JST).strftime("%Y%m%d")
    return f"n-{day}-{secrets.token_hex(4)}"


def next_version(current: int | None, now_ms: int) -> int:
    """The change's time in milliseconds, or one more than the last version if that is
    larger: always newer than anything published before, even a publication the broker
    took but never confirmed, and readable as when the change was made."""
    return now_ms if current is None else max(current + 1, now_ms)


def topic_of(row: NoticeRow) -> str:
    if row.scope == "all":
        return notice_topic(Scope.ALL, None, row.id)
    prefix, _, name = row.scope.partition(":")
    return notice_topic(Scope.AREA if prefix == "area" else Scope.STATION, name, row.id)


def image_topic_of(row: NoticeRow) -> str:
    """Where the notice's picture is retained, beside the notice."""
    return f"{topic_of(row)}/{IMAGE}"  # contract.topics.notice_image_topic


def image_of(image: NoticeImageRow) -> dict[str, object]:
    """The picture's part of the signed notice."""
    return {
        "sha256": image.sha256,
        "size": len(image.data),
        "media_type": image.media_type,
        "width": image.width,
        "height": image.height,
        "alt": image.alt,
    }


def target_known(session: Session, scope_key: str) -> bool:
    """``all``; an area in the registry or of a station; a station that is not retired."""
    if scope_key == "all":
        return True
    prefix, _, name = scope_key.partition(":")
    if prefix == "area":
        if session.get(Area, name) is not None:
            return True
        query = exists().where(
            Station.area_id == name, Station.state != EnrolmentState.RETIRED.value
        )
        return bool(session.scalar(select(query)))
    station = session.get(Station, name)
    return station is not None and station.state != EnrolmentState.RETIRED.value


def as_content(row: NoticeRow, issued_at: int, image: NoticeImageRow | None = None) -> Notice:
    """The notice stations receive for the row (with its picture's hash, size and text
    alternative): checked the way a station checks it."""
    if row.withdrawn:
        return Notice(id=row.id, version=row.version, issued_at=issued_at, withdrawn=True)
    fields = {
        "id": row.id,
        "version": row.version,
        "issued_at": issued_at,
        "expires_at": row.expires_at,
        "priority": row.priority,
        "title": row.title,
        "body": row.body,
        "starts_at": row.starts_at,
        "ends_at": row.ends_at,
        "image": image_of(image) if image is not None else None,
    }
    try:
        content = Notice.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "notice"
        raise RefusedNoticeError(f"{where}: {first['msg']}") from None
    if content.expires_at is not None and content.expires_at <= issued_at:
        raise RefusedNoticeError("expires_at: must be in the future")
    # Round trip as a station receives it: size, canonical form, the contract's checks.
    payload = content.model_dump(mode="json", exclude_none=True)
    try:
        raw = canonical_json({"v": WIRE_VERSION, "kid": _KID, "sig": _SIG, "payload": payload})
        validate(Notice, load_json(raw)["payload"])
    except ContractError as exc:
        raise RefusedNoticeError(f"{exc.reason}: {exc.detail}") from None
    except ValueError:
        raise RefusedNoticeError("text cannot be signed (unpaired surrogate characters)") from None
    return content


def list_notices(session: Session, withdrawn: bool | None = None) -> list[NoticeRow]:
    """Newest change first."""
    query = select(NoticeRow).order_by(NoticeRow.version.desc(), NoticeRow.id)
    if withdrawn is not None:
        query = query.where(NoticeRow.withdrawn == withdrawn)
    return list(session.scalars(query))


def summary(row: NoticeRow) -> str:
    """What the audit log keeps about a change."""
    return json.dumps(
        {"version": row.version, "target": row.scope, "title_ja": row.title.get("ja")},
        ensure_ascii=False,
    )[:1000]
