"""A notice's picture: staff attach one PNG or JPEG with a text alternative per language; the
server re-encodes it for the kiosk (server.pictures), keeps it, and publishes the notice
again at a new version carrying the picture's SHA-256 and size, the picture itself retained
beside it (docs/protocol.md, "Notice pictures")."""

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from contract.languages import KIOSK_LANGS
from server.api.deps import Reader, RegistryDep, SessionDep, SettingsDep, Staff
from server.api.errors import CodedError
from server.api.notice_schemas import NoticeOut
from server.api.notices import found, notice_out, publish, publisher_of
from server.api.schemas import IdInPath
from server.pictures import PictureRefusedError, reencode
from server.registry.db import Registry, now_ms
from server.registry.models import NoticeImage as NoticeImageRow
from server.registry.notices import next_version, summary
from server.registry.stations import audit
from server.registry.tokens import Principal
from server.settings import ServerSettings

router = APIRouter(prefix="/api/v1", tags=["notices"])
AltText = Annotated[str | None, Form(max_length=2000)]


class NoticeImageOut(BaseModel):
    notice: NoticeOut  # at its new version
    sha256: str
    size: int
    media_type: str
    width: int
    height: int
    alt: dict[str, str]


def image_out(notice: NoticeOut, image: NoticeImageRow) -> NoticeImageOut:
    return NoticeImageOut(
        notice=notice,
        sha256=image.sha256,
        size=len(image.data),
        media_type=image.media_type,
        width=image.width,
        height=image.height,
        alt=image.alt,
    )


@router.put(
    "/notices/{notice_id}/image",
    summary="Attach a picture to a notice (PNG or JPEG), with its text alternative",
    responses={
        413: {"description": "画像が大きすぎます / the file is over the upload limit"},
        415: {"description": "PNG か JPEG の画像ではありません / not a PNG or JPEG picture"},
    },
    description=(
        "multipart/form-data: `file` と言語ごとの代替テキスト `alt_ja`（必須）, `alt_ja-easy`, "
        "`alt_en`, `alt_zh`, `alt_ko`, `alt_vi`。キオスクの解像度に再エンコードし（メタデータは"
        "残りません）、SHA-256 とサイズを載せた新しい版を署名して配信します。画像でないファイル"
        "は 415、大きすぎるファイルは 413。"
    ),
)
def put_notice_image(
    notice_id: IdInPath,
    who: Staff,
    registry: RegistryDep,
    settings: SettingsDep,
    request: Request,
    file: Annotated[UploadFile, File(description="PNG or JPEG")],
    alt_ja: Annotated[str, Form(min_length=1, max_length=2000)],
    alt_ja_easy: Annotated[str | None, Form(alias="alt_ja-easy", max_length=2000)] = None,
    alt_en: AltText = None,
    alt_zh: AltText = None,
    alt_ko: AltText = None,
    alt_vi: AltText = None,
) -> NoticeImageOut:
    raw = file.file.read(settings.notice_image_upload_max_bytes + 1)
    typed = (alt_ja, alt_ja_easy, alt_en, alt_zh, alt_ko, alt_vi)
    alt = dict(zip(KIOSK_LANGS, typed, strict=True))
    return attach_picture(notice_id, who, registry, settings, request, raw, alt)


def attach_picture(
    notice_id: str,
    who: Principal,
    registry: Registry,
    settings: ServerSettings,
    request: Request,
    raw: bytes,
    alt_texts: Mapping[str, str | None],
) -> NoticeImageOut:
    """Re-encode ``raw``, keep it, publish the notice again with it (the API and the
    console's form both come here)."""
    limit = settings.notice_image_upload_max_bytes
    if len(raw) > limit:
        raise CodedError(
            413,
            "too_large",
            f"画像は {limit // 1_000_000} MB までです / the picture may be at most {limit} bytes",
        )
    try:
        picture = reencode(raw, settings.notice_image_width, settings.notice_image_height)
    except PictureRefusedError as exc:
        raise CodedError(415, "not_an_image", str(exc)) from None
    alt = {lang: text.strip() for lang, text in alt_texts.items() if text and text.strip()}
    if "ja" not in alt:
        raise HTTPException(
            422, "alt_ja: 日本語の代替テキストが必要です / a Japanese text alternative is needed"
        )
    publisher = publisher_of(request)
    stamp = now_ms()
    with registry.session() as session:
        row = found(session, notice_id)
        if row.withdrawn:
            raise HTTPException(
                409, "取り下げ済みのお知らせです / a withdrawn notice cannot take a picture"
            )
        image = session.get(NoticeImageRow, notice_id) or NoticeImageRow(notice_id=notice_id)
        image.sha256, image.data, image.alt = picture.sha256, picture.data, alt
        image.media_type, image.width, image.height = (
            picture.media_type,
            picture.width,
            picture.height,
        )
        image.uploaded_at, image.uploaded_by = stamp, who.name
        session.add(image)
        session.flush()  # publish() finds it in the registry
        row.version = next_version(row.version, stamp)
        row.updated_at, row.updated_by = stamp, who.name
        audit(session, who.name, "notice.image", notice_id, summary(row))
        publish(publisher, session, row, stamp)
        return image_out(notice_out(row), image)


@router.get(
    "/notices/{notice_id}/image",
    summary="A notice's picture as stations receive it",
    response_class=Response,
    responses={200: {"content": {"image/png": {}, "image/jpeg": {}}}},
)
def get_notice_image(notice_id: IdInPath, _: Reader, session: SessionDep) -> Response:
    image = session.get(NoticeImageRow, notice_id)
    if image is None:
        raise HTTPException(404, f"お知らせ {notice_id!r} に画像はありません / no picture")
    headers = {"ETag": f'"{image.sha256}"', "Cache-Control": "private, max-age=60"}
    return Response(image.data, media_type=image.media_type, headers=headers)
