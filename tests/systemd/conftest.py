from pathlib import Path

import pytest

from tests.systemd.station import build_wheel


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's own wheel, built from this checkout once per test run."""
    return build_wheel(tmp_path_factory.mktemp("wheels"))
