"""``kyusui-agent``: run the station agent."""

import logging

from sensors.agent import run
from sensors.settings import AgentSettings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    run(AgentSettings())


if __name__ == "__main__":
    main()
