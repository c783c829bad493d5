"""``kyusui-agent``: run the station agent."""

import logging
import sys

from contract.cli import parse_service_args
from sensors.agent import run
from sensors.gpio.parts import SensorUnavailableError
from sensors.settings import AgentSettings

EX_CONFIG = 78  # the unit's RestartPreventExitStatus: a wrong setting is not retried


def main(argv: list[str] | None = None) -> None:
    parse_service_args(
        "kyusui-agent",
        "Run the station agent: measure, keep the outbox, publish to the broker over MQTT.",
        "Settings: /etc/kyusui/agent.toml (or the file named by KYUSUI_AGENT_CONFIG),\n"
        "then KYUSUI_AGENT_* variables. See docs/agent.md.",
        argv,
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        run(AgentSettings())
    except SensorUnavailableError as exc:
        print(f"kyusui-agent: {exc}", file=sys.stderr)
        sys.exit(EX_CONFIG)


if __name__ == "__main__":
    main()
