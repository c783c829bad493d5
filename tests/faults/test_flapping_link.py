"""A station behind a link that keeps going down and up."""

import time
from collections.abc import Callable

from tests.faults.conftest import assert_whole
from tests.faults.link import namespace_link
from tests.faults.net import FaultNet

BEHIND_LINK = "st-fault-01"


def test_a_flapping_link_loses_nothing(faultnet: Callable[..., FaultNet]) -> None:
    with namespace_link() as link:
        net = faultnet(
            broker_addresses=[link.host_address],
            namespaces={BEHIND_LINK: link.namespace},
            station_settings={
                BEHIND_LINK: {
                    "KYUSUI_AGENT_BROKER_HOST": link.host_address,
                    "KYUSUI_AGENT_BROKER_KEEPALIVE_S": "5",  # so a long cut is noticed
                }
            },
        ).start()
        impaired = link.impair(loss_pct=5, delay_ms=40)
        for _ in range(4):  # short cuts: TCP rides them out
            link.down()
            time.sleep(2)
            link.up()
            time.sleep(2)
        link.down()  # a long cut: the broker drops the station, the station reconnects
        time.sleep(9)
        link.up()
        time.sleep(4)
        counts = net.finish(
            "link down/up every 2 s, then 9 s down"
            + (", netem 5 % loss 40 ms delay" if impaired else " (this kernel has no netem)")
        )
        log = net.log(BEHIND_LINK)
    assert log.count("connected to") >= 2, "the long cut never made the station reconnect"
    assert_whole(counts)
