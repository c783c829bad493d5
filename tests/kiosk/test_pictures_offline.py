"""A picture notice through the real agent and broker: the picture is kept only when its
bytes are the signed ones, and it is still on screen after the agent and the kiosk start
again with the network cut. Screenshots in artifacts/kiosk/pictures-offline/."""

import hashlib
import io
import time
from pathlib import Path

import pytest
from PIL import Image

from contract.content import Notice, NoticeImage
from contract.topics import Scope, notice_image_topic, notice_topic
from localstate import IMAGES_DIR, open_local_state
from sensors.agent import Agent
from tests.agent.conftest import (
    STATION,
    ContentKey,
    Listener,
    agent_settings,
    broker_for,
    new_content_key,
    running,
    wait_until,
)
from tests.kiosk.conftest import ALWAYS_ON_SETTINGS, run_driver
from tests.pictures import poster

ALT = {"ja": "夏祭りのポスター", "en": "Festival poster"}


@pytest.fixture
def content_key(tmp_path: Path) -> ContentKey:
    return new_content_key(tmp_path)


def picture_notice(notice_id: str, version: int, data: bytes) -> Notice:
    width, height = Image.open(io.BytesIO(data)).size
    image = NoticeImage(
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        media_type="image/png",
        width=width,
        height=height,
        alt=ALT,
    )
    return Notice(
        id=notice_id,
        version=version,
        issued_at=time.time_ns() // 1_000_000,
        priority="urgent",
        title={"ja": "夏祭りに給水所が出ます"},
        image=image,
    )


def stored_pictures(state_dir: Path) -> list[str]:
    directory = state_dir / IMAGES_DIR
    return sorted(p.name for p in directory.iterdir()) if directory.is_dir() else []


def test_a_picture_is_kept_only_if_signed_and_survives_restarts_with_the_network_cut(
    xvfb_display: str, tmp_path: Path, content_key: ContentKey
) -> None:
    broker = broker_for(tmp_path / "mosquitto").start()
    state_dir = tmp_path / "station"
    settings = agent_settings(
        broker, state_dir, content_keys_file=content_key.pem_file, **ALWAYS_ON_SETTINGS
    )
    sign = content_key.signer.sign
    good = poster(640, 480, "PNG")
    signed_only = poster(500, 400, "PNG")  # what the "forged" notice names: never delivered
    forged = poster(640, 481, "PNG")  # sent in its place
    try:
        listener = Listener(broker).start()
        with running(Agent(settings)) as agent:
            assert wait_until(lambda: agent.link.connected and bool(listener.readings()))
            assert agent.link.subscribed.wait(10), "the agent did not subscribe"
            own = (Scope.STATION, STATION)
            # The forged bytes on one notice's topic, before and after its notice.
            listener.publish(notice_image_topic(*own, "forged"), forged, retain=True)
            forged_notice = sign(picture_notice("forged", 1, signed_only))
            listener.publish(notice_topic(*own, "forged"), forged_notice)
            listener.publish(notice_image_topic(*own, "forged"), forged, retain=True)
            # The signed picture, after its notice this time.
            listener.publish(
                notice_topic(*own, "festival"), sign(picture_notice("festival", 1, good))
            )
            listener.publish(notice_image_topic(*own, "festival"), good, retain=True)
            name = hashlib.sha256(good).hexdigest() + ".png"
            assert wait_until(lambda: stored_pictures(state_dir) == [name])
            assert agent.pictures.refused["hash"] == 1  # the forged bytes, once its notice came
        listener.stop()
    finally:
        broker.stop()  # the network is cut
    assert (state_dir / IMAGES_DIR / name).read_bytes() == good

    with running(Agent(settings)) as agent:  # the agent starts again, offline
        assert wait_until(lambda: agent.state.snapshot().latest is not None)
        assert not agent.link.connected
        shots = run_driver(
            xvfb_display, tmp_path, "pictures-offline",
            [{"op": "advance", "s": 0}, {"op": "shot", "name": "after-restarts"},
             {"op": "touch", "target": "notice", "swipe_px": -200},
             {"op": "shot", "name": "forged"}],
            state_dir=state_dir, burn_in_shift_px=0,
        )["shots"]  # fmt: skip
    opened = open_local_state(state_dir, create=False)
    held = {n.notice_id for n in opened.state.snapshot().notices}
    opened.state.close()
    assert held == {"festival", "forged"}
    pictured = [s for s in shots.values() if s["view"]["notice_picture"]]
    alternatives = [s for s in shots.values() if not s["view"]["notice_picture"]]
    assert len(pictured) == 1
    assert len(alternatives) == 1
    assert alternatives[0]["view"]["notice_body"] == ALT["ja"]  # the forged one: words only
