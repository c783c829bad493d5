from collections.abc import Iterator

import pytest

from devnet.network import StationNetwork
from tests.provisioning.helpers import provisioning_env, test_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StationNetwork]:
    """A running test server; ``kyusui-provision`` is configured for it."""
    with test_server(tmp_path_factory.mktemp("server")) as network, provisioning_env(network):
        yield network
