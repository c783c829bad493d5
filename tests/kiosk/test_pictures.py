"""A notice with a picture on the real kiosk window: the picture with the notice's title
when its bytes are the signed ones; the text alternative, never the picture, when they are
not or when it has not arrived. Screenshots in artifacts/kiosk/pictures/."""

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from localstate import IMAGES_DIR, ImageView
from tests.kiosk.conftest import ALWAYS_ON, run_driver
from tests.kiosk.screens import close_to, image, ocr, similarity
from tests.kiosk.statefile import STATION
from tests.pictures import POSTER_BLUE, POSTER_YELLOW, poster

TITLE = {"ja": "夏祭りに給水所が出ます", "en": "Water at the summer festival"}
ALT = {"ja": "ポスター：本部テントの横で冷たい水を配ります", "en": "Poster: cold water by the tent"}


def picture_of(data: bytes, **alt: Any) -> dict[str, Any]:
    opened = Image.open(io.BytesIO(data))
    size = opened.size
    return {
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "media_type": "image/png" if opened.format == "PNG" else "image/jpeg",
        "width": size[0],
        "height": size[1],
        "alt": alt or ALT,
    }


def notice(notice_id: str, picture: dict[str, Any]) -> dict[str, Any]:
    return {"id": notice_id, "title": TITLE, "priority": "high", "image": picture}


@pytest.fixture(scope="module")
def shots(xvfb_display: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = Path(tmp_path_factory.mktemp("pictures"))
    state_dir = tmp / "state"
    images = state_dir / IMAGES_DIR
    images.mkdir(parents=True)
    good = poster(640, 480, "PNG")
    good_image = picture_of(good)
    (images / ImageView(**good_image).file_name).write_bytes(good)
    # The signed notice names these bytes; the file holds others (damaged, or swapped).
    signed = poster(400, 300, "PNG")
    swapped = picture_of(signed)
    (images / ImageView(**swapped).file_name).write_bytes(poster(400, 301, "PNG"))
    missing = picture_of(poster(300, 200, "PNG"))
    photo = poster(640, 480, "JPEG")
    photo_image = picture_of(photo)
    (images / ImageView(**photo_image).file_name).write_bytes(photo)
    base = {
        "station": list(STATION),
        "display": ALWAYS_ON,
        "agent": {"sensor": "ok", "network": "online"},
        "reading": {"wbgt": 24.0, "temp_c": 28.0},
    }
    steps: list[dict[str, Any]] = [
        {"op": "state", "spec": base | {"notices": [notice("festival", good_image)]}},
        {"op": "shot", "name": "picture"},
        {"op": "touch", "target": "lang:en"},
        {"op": "shot", "name": "picture-en"},
        {"op": "touch", "target": "lang:ja"},
        {"op": "state", "spec": {"notices": [notice("photo", photo_image)]}},
        {"op": "shot", "name": "jpeg"},
        {"op": "state", "spec": {"notices": [notice("swapped", swapped)]}},
        {"op": "shot", "name": "swapped"},
        {"op": "state", "spec": {"notices": [notice("missing", missing)]}},
        {"op": "shot", "name": "missing"},
    ]
    return dict(
        run_driver(xvfb_display, tmp, "pictures", steps, state_dir=state_dir, burn_in_shift_px=0)[
            "shots"
        ]
    )


def colours_in(shot: dict[str, Any], rect: str) -> set[tuple[int, int, int]]:
    x, y, w, h = shot["rects"][rect]
    crop = image(shot).crop((int(x), int(y), int(x + w), int(y + h))).convert("RGB")
    found: set[tuple[int, int, int]] = set()
    for _, colour in crop.getcolors(1 << 20) or []:
        assert isinstance(colour, tuple)
        found.add((int(colour[0]), int(colour[1]), int(colour[2])))
    return found


def shows(colours: set[tuple[int, int, int]], colour: tuple[int, int, int]) -> bool:
    return any(close_to(c, colour, 12) for c in colours)


def test_a_picture_notice_appears_with_its_picture_and_title(
    shots: dict[str, Any], tesseract: str
) -> None:
    del tesseract
    for name, lang in (("picture", "ja"), ("picture-en", "en"), ("jpeg", "ja")):
        shot = shots[name]
        assert shot["view"]["notice_picture"], name
        assert shot["view"]["notice_body"] == ""
        assert shot["view"]["notice_title"] == TITLE[lang]
        card = colours_in(shot, "notice")
        assert shows(card, POSTER_BLUE), name
        assert shows(card, POSTER_YELLOW), name
        assert similarity(TITLE[lang], ocr(shot, "notice_title", lang)) >= 0.75


@pytest.mark.parametrize("name", ["swapped", "missing"])
def test_bytes_that_are_not_the_signed_ones_are_never_shown_the_text_alternative_is(
    shots: dict[str, Any], tesseract: str, name: str
) -> None:
    del tesseract
    shot = shots[name]
    assert not shot["view"]["notice_picture"]
    assert shot["view"]["notice_body"] == ALT["ja"]
    card = colours_in(shot, "notice")
    assert not shows(card, POSTER_BLUE)
    assert not shows(card, POSTER_YELLOW)
    assert similarity(ALT["ja"], ocr(shot, "notice_body", "ja")) >= 0.75
