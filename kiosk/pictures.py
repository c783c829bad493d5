"""Notice pictures on screen: read from the agent's cache, drawn only when the bytes have the
SHA-256 and size the signed notice names (the agent checked them on arrival; the kiosk
checks again, so a file changed or damaged on the card is never shown). Without a good
picture the notice shows its text alternative instead."""

import hashlib
import io
import logging
from pathlib import Path
from typing import Any

from localstate import IMAGES_DIR, ImageView

log = logging.getLogger("kyusui.kiosk")


class PictureLoader:
    def __init__(self, state_dir: Path) -> None:
        self.directory = state_dir / IMAGES_DIR
        self.textures: dict[str, Any] = {}  # sha256 → kivy Texture; a handful at most
        self.bad: dict[str, float] = {}  # sha256 → the file's mtime when it was found bad

    def texture(self, image: ImageView) -> Any | None:
        """The picture's texture, or None when it is missing, not the signed bytes, or
        cannot be decoded."""
        if image.sha256 in self.textures:
            return self.textures[image.sha256]
        path = self.directory / image.file_name
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return None  # not here (yet)
        if self.bad.get(image.sha256) == mtime:
            return None
        texture = self._load(path, image)
        if texture is None:
            self.bad[image.sha256] = mtime
            return None
        if len(self.textures) >= 8:
            self.textures.pop(next(iter(self.textures)))
        self.textures[image.sha256] = texture
        return texture

    def _load(self, path: Path, image: ImageView) -> Any | None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            log.warning("picture %s cannot be read: %s", path, exc)
            return None
        if len(data) != image.size or hashlib.sha256(data).hexdigest() != image.sha256:
            log.warning("picture %s is not the signed one: not shown", path)
            return None
        from kivy.core.image import Image as CoreImage

        try:
            return CoreImage(io.BytesIO(data), ext=path.suffix.lstrip(".")).texture
        except Exception:  # Kivy raises several kinds for an undecodable file
            log.exception("picture %s cannot be decoded: not shown", path)
            return None
