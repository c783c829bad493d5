"""A simulated station for the fault suite: the real agent process, which also writes a
ledger of every reading it takes, and whose wall clock the suite can step.

``python -m tests.faults.station`` with the agent's ``KYUSUI_AGENT_*`` settings and
``KYUSUI_FAULTS_LEDGER`` (one line per reading: the reading's time). SIGUSR1 steps the
wall clock by ``KYUSUI_FAULTS_CLOCK_STEP_MS``; SIGUSR2 steps it back by as much.
"""

import logging
import os
import signal
from pathlib import Path
from types import FrameType

from contract.messages import Reading
from sensors.agent import Agent
from sensors.settings import AgentSettings
from sensors.time.clock import FakeClock, SystemClock

LEDGER_ENV = "KYUSUI_FAULTS_LEDGER"
STEP_ENV = "KYUSUI_FAULTS_CLOCK_STEP_MS"


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    clock = FakeClock(boot=SystemClock().boot_id())
    step_ms = int(os.environ.get(STEP_ENV, "0"))

    def step(signum: int, frame: FrameType | None) -> None:
        clock.jump(step_ms if signum == signal.SIGUSR1 else -step_ms)

    signal.signal(signal.SIGUSR1, step)
    signal.signal(signal.SIGUSR2, step)
    agent = Agent(AgentSettings(), clock=clock)
    ledger = Path(os.environ[LEDGER_ENV]).open("a")  # noqa: SIM115 - open for the whole run
    take = agent.take_reading

    def recorded() -> Reading:
        reading = take()
        ledger.write(f"{reading.ts}\n")
        ledger.flush()
        return reading

    agent.take_reading = recorded  # type: ignore[method-assign]
    signal.signal(signal.SIGTERM, agent.request_stop)
    signal.signal(signal.SIGINT, agent.request_stop)
    agent.run()
    ledger.close()


if __name__ == "__main__":
    main()
