"""Notice pictures coming in: kept for the kiosk only when their bytes have the SHA-256 and
size the signed notice names, in ``<state_dir>/images/`` so they are there offline and after
a restart.

A picture and its notice are retained on the broker separately and may arrive in either
order: a picture no notice names yet waits in memory (a few, bounded) for its notice.
A picture that does not match is never written, and counted.
"""

import contextlib
import hashlib
import logging
import os
from collections import Counter, OrderedDict
from pathlib import Path

from contract.content import IMAGE_MAX_BYTES
from localstate import IMAGES_DIR, ImageView

log = logging.getLogger("kyusui.agent.pictures")
WAITING_MAX = 4  # pictures whose notice has not arrived yet


class PictureStore:
    def __init__(self, state_dir: Path) -> None:
        self.directory = state_dir / IMAGES_DIR
        self.waiting: OrderedDict[str, bytes] = OrderedDict()  # sha256 → bytes
        self.refused: Counter[str] = Counter()

    def path(self, image: ImageView) -> Path:
        return self.directory / image.file_name

    def have(self, image: ImageView) -> bool:
        return self.path(image).is_file()

    def received(self, notice_id: str, payload: bytes, wanted: ImageView | None) -> bool:
        """A picture on notice ``notice_id``'s topic; ``wanted`` is what its notice (if the
        station holds it) names. True when it was stored for the kiosk."""
        if not payload:
            return False  # a cleared retained picture: its notice goes with a withdrawal
        if len(payload) > IMAGE_MAX_BYTES:
            self._refuse("too_large", notice_id, f"{len(payload)} bytes")
            return False
        digest = hashlib.sha256(payload).hexdigest()
        if wanted is not None and digest == wanted.sha256 and len(payload) == wanted.size:
            self._write(wanted, payload)
            return True
        if wanted is not None:
            self._refuse("hash", notice_id, f"sha256 {digest[:12]}… is not the signed one")
        # Kept back, never shown: only a signed notice naming exactly these bytes uses them
        # (its newer version may still be on the way).
        self.waiting[digest] = payload
        self.waiting.move_to_end(digest)
        while len(self.waiting) > WAITING_MAX:
            self.waiting.popitem(last=False)
        return False

    def notice_names(self, notice_id: str, image: ImageView) -> None:
        """A verified notice names ``image``: store it if it came first."""
        payload = self.waiting.pop(image.sha256, None)
        if payload is None or self.have(image):
            return
        if len(payload) != image.size:  # the same hash: the notice itself is inconsistent
            self._refuse("size", notice_id, "the size is not the signed one")
            return
        self._write(image, payload)

    def keep_only(self, images: list[ImageView]) -> None:
        """Delete the pictures no notice the station holds names any more."""
        wanted = {i.file_name for i in images}
        with contextlib.suppress(FileNotFoundError):
            for path in self.directory.iterdir():
                if path.name not in wanted:
                    path.unlink(missing_ok=True)

    def _refuse(self, reason: str, notice_id: str, detail: str) -> None:
        self.refused[reason] += 1
        log.warning("refused the picture of notice %s (%s): %s", notice_id, reason, detail)

    def _write(self, image: ImageView, payload: bytes) -> None:
        """Written whole or not at all: the kiosk never reads half a picture."""
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.path(image)
        partial = target.with_suffix(".part")
        with partial.open("wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        partial.replace(target)
        log.info("stored picture %s (%d bytes)", image.file_name, image.size)
