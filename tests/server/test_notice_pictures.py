"""Staff attach a picture to a notice: the server re-encodes it to the kiosk's size with its
metadata gone, refuses what is not a picture with a clear 4xx, and publishes the notice again
carrying the picture's SHA-256 and size, the picture retained beside it."""

import hashlib
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from contract.content import Notice
from contract.signing import verify
from contract.topics import ContentKind
from devnet.mosquitto import Mosquitto
from tests.pictures import poster
from tests.server.helpers import now_ms
from tests.server.notice_helpers import clear_retained, retained, trusted_keys

ALT = {"alt_ja": "夏祭りのポスター：給水所は本部テントの横", "alt_en": "Festival poster"}
TOPIC = "kyusui/v1/area/naka/notices/festival"


def new_notice(api: TestClient) -> None:
    body = {"id": "festival", "title": {"ja": "夏祭り"}, "target": {"scope": "area", "id": "naka"}}
    answer = api.post("/api/v1/notices", json=body)
    assert answer.status_code == 201, answer.text


def test_a_picture_is_re_encoded_without_metadata_and_published_with_its_hash(
    notices_api: TestClient, broker: Mosquitto, keys: Path
) -> None:
    new_notice(notices_api)
    try:
        sent = poster(1600, 1200)
        assert b"Camera maker" in sent
        answer = notices_api.put(
            "/api/v1/notices/festival/image",
            files={"file": ("poster.jpg", sent, "image/jpeg")},
            data=ALT,
        )
        assert answer.status_code == 200, answer.text
        out = answer.json()
        assert (out["width"], out["height"]) == (640, 480)  # into the kiosk's 800×480
        assert out["media_type"] == "image/jpeg"
        assert out["alt"] == {"ja": ALT["alt_ja"], "en": ALT["alt_en"]}

        stored = notices_api.get("/api/v1/notices/festival/image")
        assert stored.headers["content-type"] == "image/jpeg"
        data = stored.content
        assert hashlib.sha256(data).hexdigest() == out["sha256"]
        assert len(data) == out["size"]
        picture = Image.open(io.BytesIO(data))
        assert not picture.getexif()  # no camera, no GPS position
        assert b"Camera maker" not in data
        assert b"Photo software" not in data

        [raw] = retained(broker, "st-test-01", f"{TOPIC}/image")
        assert raw == data  # what stations receive is what staff can check
        [signed] = retained(
            broker, "st-test-01", "kyusui/v1/area/naka/notices/+", notice_id="festival"
        )
        notice = verify(signed, trusted_keys(keys), ContentKind.NOTICE, now_ms(), "festival")
        assert isinstance(notice, Notice)
        assert notice.version == out["notice"]["version"]
        assert notice.image is not None
        assert (notice.image.sha256, notice.image.size) == (out["sha256"], out["size"])
        assert notice.image.alt["ja"] == ALT["alt_ja"]

        # A withdrawal takes the picture off the broker with the notice.
        assert notices_api.post("/api/v1/notices/festival/withdraw").status_code == 200
        assert retained(broker, "st-test-01", f"{TOPIC}/image") == []
    finally:
        clear_retained(broker, [TOPIC, f"{TOPIC}/image"])


@pytest.mark.parametrize(
    ("name", "content", "status", "says"),
    [
        ("minutes.pdf", b"%PDF-1.7\n1 0 obj << >> endobj\n", 415, "PNG"),
        ("poster.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 200, 415, "PNG"),  # a header, no picture
        ("poster.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", 415, "PNG"),
    ],
)
def test_a_file_that_is_not_a_png_or_jpeg_picture_is_refused_and_nothing_changes(
    notices_api: TestClient, broker: Mosquitto, name: str, content: bytes, status: int, says: str
) -> None:
    new_notice(notices_api)
    try:
        before = notices_api.get("/api/v1/notices/festival").json()["version"]
        answer = notices_api.put(
            "/api/v1/notices/festival/image",
            files={"file": (name, content, "image/png")},
            data=ALT,
        )
        assert answer.status_code == status, answer.text
        error = answer.json()["error"]
        assert error["code"] == "not_an_image"
        assert says in error["message"]
        assert notices_api.get("/api/v1/notices/festival").json()["version"] == before
        assert notices_api.get("/api/v1/notices/festival/image").status_code == 404
    finally:
        clear_retained(broker, [TOPIC, f"{TOPIC}/image"])


def test_a_picture_needs_a_japanese_text_alternative_and_a_known_notice(
    notices_api: TestClient, broker: Mosquitto
) -> None:
    new_notice(notices_api)
    try:
        png = poster(200, 100, "PNG")
        no_alt = notices_api.put(
            "/api/v1/notices/festival/image",
            files={"file": ("p.png", png, "image/png")},
            data={"alt_en": "English only"},
        )
        assert no_alt.status_code == 422
        assert no_alt.json()["error"]["code"] == "invalid_request"
        unknown = notices_api.put(
            "/api/v1/notices/no-such/image",
            files={"file": ("p.png", png, "image/png")},
            data=ALT,
        )
        assert unknown.status_code == 404
        small = notices_api.put(
            "/api/v1/notices/festival/image",
            files={"file": ("p.png", png, "image/png")},
            data=ALT,
        )
        assert small.status_code == 200, small.text
        assert (small.json()["width"], small.json()["height"]) == (200, 100)  # never enlarged
        assert small.json()["media_type"] == "image/png"
    finally:
        clear_retained(broker, [TOPIC, f"{TOPIC}/image"])
