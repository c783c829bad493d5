"""A notice's picture, made fit for the kiosk: decoded and drawn again with Pillow at most
at the kiosk's resolution. Only the pixels survive — no EXIF (location, camera), no ICC
profile, no text chunks, nothing a file could smuggle — and anything Pillow cannot decode
as a PNG or a JPEG is refused with the reason."""

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from contract.content import IMAGE_MAX_BYTES, ImageType

ACCEPTED = {"PNG": "image/png", "JPEG": "image/jpeg"}
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is drawn


class PictureRefusedError(ValueError):
    """Not a picture a station may show; the message says why (日本語 / English)."""


@dataclass(frozen=True, slots=True)
class Picture:
    data: bytes
    media_type: ImageType
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)


def reencode(raw: bytes, max_width: int, max_height: int) -> Picture:
    """``raw`` as a new PNG (from a PNG) or JPEG (from a JPEG) within the box, upright."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source = Image.open(io.BytesIO(raw))
            kind = source.format
            if kind not in ACCEPTED:
                raise PictureRefusedError(
                    f"PNG か JPEG の画像だけを受け付けます / only PNG or JPEG pictures, not {kind}"
                )
            if source.width * source.height > MAX_PIXELS:
                raise PictureRefusedError("画像が大きすぎます / the picture has too many pixels")
            source.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Warning) as exc:
        if isinstance(exc, PictureRefusedError):
            raise
        raise PictureRefusedError(
            "画像として読めないファイルです / the file is not a PNG or JPEG picture"
        ) from None
    upright = ImageOps.exif_transpose(source)  # the camera's rotation, then EXIF is gone
    has_alpha = upright.mode in ("RGBA", "LA") or "transparency" in upright.info
    pixels = upright.convert("RGBA" if kind == "PNG" and has_alpha else "RGB")
    pixels.thumbnail((max_width, max_height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if kind == "PNG":
        pixels.save(out, format="PNG", optimize=True)
    else:
        pixels.save(out, format="JPEG", quality=85, optimize=True)
    data = out.getvalue()
    if len(data) > IMAGE_MAX_BYTES:
        raise PictureRefusedError(
            "縮小しても 1 MB を超える画像です。写真は JPEG で送ってください / the picture is "
            "over 1 MB even at the kiosk's size: send photographs as JPEG"
        )
    return Picture(data, ACCEPTED[kind], pixels.width, pixels.height)  # type: ignore[arg-type]
