"""Commands to one station (identify, restart the kiosk, screenshot) and waiting for the answer.

One short MQTT v5 connection per command: subscribe to the station's ``cmd/result``, publish
the command with its id as correlation data, and wait for the result with that id. Staff send
a handful of commands a day, so no connection is kept open.
"""

import secrets
import threading
import time
from typing import Protocol

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from contract.codec import MAX_COMMAND_RESULT_BYTES, decode, encode
from contract.errors import ContractError
from contract.messages import Command, CommandName, CommandResult
from contract.topics import StationTopic, command_topic, station_topic
from server.settings import ServerSettings

# How long each command may take before the caller hears "no answer" (a screenshot waits for
# the kiosk to draw its next frame, up to the agent's own 20 s).
WAIT_S = {CommandName.IDENTIFY: 10.0, CommandName.RESTART_KIOSK: 70.0, CommandName.SCREENSHOT: 30.0}


class CommandError(RuntimeError):
    """The broker could not be reached or did not take the command."""


class CommandSender(Protocol):
    def send(
        self, station: str, name: CommandName, args: dict[str, str | int | float | bool]
    ) -> CommandResult | None: ...


class MqttCommandSender:
    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings

    def send(
        self, station: str, name: CommandName, args: dict[str, str | int | float | bool]
    ) -> CommandResult | None:
        """The station's result, or None when it did not answer in time."""
        s = self.settings
        wait_s = WAIT_S[name]
        issued = time.time_ns() // 1_000_000
        command = Command(
            cmd_id=secrets.token_hex(8),
            name=name,
            issued_at=issued,
            expires_at=issued + int(wait_s * 1000),
            args=args,
        )
        answer: list[CommandResult] = []
        subscribed, answered = threading.Event(), threading.Event()
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"api-cmd-{command.cmd_id}",
            protocol=mqtt.MQTTv5,
        )
        client.username_pw_set(s.broker_username, s.broker_password.get_secret_value())
        if s.broker_ca_file is not None:
            client.tls_set(ca_certs=str(s.broker_ca_file))
        result_topic = station_topic(station, StationTopic.CMD_RESULT)

        def on_message(c: mqtt.Client, u: object, message: mqtt.MQTTMessage) -> None:
            try:
                result = decode(CommandResult, bytes(message.payload), MAX_COMMAND_RESULT_BYTES)
            except ContractError:
                return
            if result.cmd_id == command.cmd_id:
                answer.append(result)
                answered.set()

        client.on_message = on_message
        client.on_subscribe = lambda *_: subscribed.set()
        try:
            client.connect(s.broker_host, s.broker_port, keepalive=30)
        except OSError as exc:
            raise CommandError(f"broker unreachable: {exc}") from exc
        client.loop_start()
        try:
            client.subscribe(result_topic, qos=1)
            if not subscribed.wait(10):
                raise CommandError("the broker did not confirm the subscription in 10 s")
            properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
            properties.CorrelationData = command.cmd_id.encode()
            info = client.publish(
                command_topic(station), encode(command), qos=1, properties=properties
            )
            info.wait_for_publish(10)
            if not info.is_published():
                raise CommandError("the broker did not take the command")
            answered.wait(wait_s)
            return answer[0] if answer else None
        finally:
            client.disconnect()
            client.loop_stop()
