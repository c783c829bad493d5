"""The API keeps its own OpenAPI promises whatever a client sends: requests generated from the
document (valid ones and ones that break it) never get a 5xx, and every answer has a status,
content type and body the document lists for that endpoint.

The run is bounded and repeatable: a fixed number of examples per operation, derandomized,
against the API running as its own process (SQLite stores, a real broker, a signing key) and
signed in as an admin.
"""

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from devnet.mosquitto import Mosquitto
from devnet.ports import free_port, wait_for_port
from provisioning.keys import generate_keypair
from server.api.app import create_app
from server.settings import ServerSettings
from tests.conftest import SERVER_USER

TOKEN = uuid.uuid4().hex
REQUESTS = re.compile(r'^kyusui_api_requests_total\{route="([^"]*)",status="(\d+)"\} (\S+)$', re.M)
EXAMPLES_PER_OPERATION = 10


@pytest.fixture(scope="module")
def api_url(broker: Mosquitto, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("schemathesis")
    generate_keypair(workdir)
    port = free_port()
    env = os.environ | {
        "KYUSUI_SERVER_CONFIG": str(workdir / "absent.toml"),
        "KYUSUI_SERVER_BROKER_PORT": str(broker.port),
        "KYUSUI_SERVER_BROKER_USERNAME": SERVER_USER,
        "KYUSUI_SERVER_BROKER_PASSWORD": broker.accounts[SERVER_USER],
        "KYUSUI_SERVER_TIMESERIES_PATH": str(workdir / "timeseries.sqlite"),
        "KYUSUI_SERVER_REGISTRY_PATH": str(workdir / "registry.sqlite"),
        "KYUSUI_SERVER_SIGNING_KEY_FILE": str(workdir / "content-signing.key"),
        "KYUSUI_SERVER_API_PORT": str(port),
        "KYUSUI_SERVER_BOOTSTRAP_TOKEN": TOKEN,
    }
    with (workdir / "api.log").open("wb") as log:
        api = subprocess.Popen(
            [sys.executable, "-m", "server.api"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_for_port(port, timeout_s=30)
            yield f"http://127.0.0.1:{port}"
        finally:
            api.terminate()
            api.wait(15)


# The document the running API serves (checked below), built without starting anything, so
# that each operation is a test of its own.
DOCUMENT = create_app(ServerSettings()).openapi()
# Signed in as the admin through the document's own security scheme, so that schemathesis
# knows which requests carry the token and which it left without one on purpose.
schema = schemathesis.openapi.from_dict(
    DOCUMENT,
    config=SchemathesisConfig.from_dict({"auth": {"openapi": {"HTTPBearer": {"bearer": TOKEN}}}}),
)


def test_the_running_api_serves_the_document_under_test(api_url: str) -> None:
    assert httpx.get(f"{api_url}/openapi.json").json() == DOCUMENT


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_request_as_its_openapi_says(api_url: str, case: Case[Any]) -> None:
    # Not checked: that every request the document allows is accepted. Some refusals cannot
    # be said in OpenAPI (a range of at most 31 days, a notice's title needs "ja", an end
    # after its start); they answer 422 in the error shape, which the document lists.
    case.call_and_validate(
        base_url=api_url,
        excluded_checks=[positive_data_acceptance],
    )


def test_the_run_was_signed_in_and_reached_every_operation(api_url: str) -> None:
    """After the run (tests run in file order): most requests were answered as the admin,
    so the run tested the endpoints themselves, not only their refusal without a token."""
    metrics = httpx.get(f"{api_url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    served = [(route, status, float(n)) for route, status, n in REQUESTS.findall(metrics.text)]
    by_class = {c: sum(n for _, s, n in served if s[0] == c) for c in "2345"}
    answered = {route for route, status, _ in served if status[0] == "2"}
    print(
        f"schemathesis: requests by status class {by_class}; "
        f"{len(answered & set(DOCUMENT['paths']))} of {len(DOCUMENT['paths'])} paths answered 2xx"
    )
    assert by_class["5"] == 0
    assert by_class["2"] >= 100
    assert sum(by_class.values()) >= 300
