"""A notice's picture from its page: staff choose a PNG or JPEG and write its text alternative
per language; the upload goes through the picture API's own function
(server.api.notice_images.attach_picture): re-encoded, kept, signed and published alike."""

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from contract.languages import KIOSK_LANGS
from server.api.deps import CsrfChecked, RegistryDep, SettingsDep
from server.api.notice_images import attach_picture
from server.console.access import PagePrincipal, require_role
from server.console.notices import notice_detail
from server.registry.models import Role

router = APIRouter(include_in_schema=False)


@router.post("/notices/{notice_id}/image", response_class=Response)
async def notice_picture(
    notice_id: str,
    request: Request,
    principal: PagePrincipal,
    _: CsrfChecked,
    registry: RegistryDep,
    settings: SettingsDep,
) -> Response:
    require_role(principal, Role.STAFF)
    form = await request.form()
    upload = form.get("file")
    alt = {lang: form.get(f"alt_{lang}") for lang in KIOSK_LANGS}
    texts = {lang: value if isinstance(value, str) else None for lang, value in alt.items()}
    error, status = "", 200
    if not isinstance(upload, UploadFile) or not upload.filename:
        error, status = "notices.error.picture_missing", 422
    else:
        raw = await upload.read(settings.notice_image_upload_max_bytes + 1)
        try:
            await run_in_threadpool(
                attach_picture, notice_id, principal, registry, settings, request, raw, texts
            )
        except HTTPException as exc:
            if exc.status_code == 404:
                raise
            error, status = str(exc.detail), exc.status_code
    if not error:
        return RedirectResponse(f"/notices/{notice_id}?done=picture", status_code=303)
    with registry.session() as session:
        return notice_detail(request, principal, session, notice_id, error, status)
