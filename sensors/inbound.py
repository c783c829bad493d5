"""What arrives from the server, each to where it belongs: signed content verified and into
the local state (and the agent's own settings), notice pictures into the picture store,
commands to the command runner, confirmations to the pumps.

At start the content held in ``agent.sqlite`` is applied again the same way, so a local
state rebuilt or lost shows it at once, without the network.
"""

import logging
from collections.abc import Callable

from contract.content import AnyContent, Emergency, HeatAlert, Notice, PlaceList, StationConfig
from contract.errors import ContractError
from contract.forecast import OfficialForecast
from contract.topics import (
    IMAGE,
    ContentKind,
    ParsedTopic,
    StationTopic,
    parse_topic,
    station_topic,
)
from localstate import ImageView, Site
from sensors.agentfiles import LocalStateFile
from sensors.commands import CommandRunner
from sensors.content import (
    ContentInbox,
    alert_view,
    emergency_view,
    forecast_view,
    image_view,
    newest_forecast,
    notice_view,
    places_view,
)
from sensors.heat import LevelTracker
from sensors.pictures import PictureStore
from sensors.runtime import RuntimeConfig
from sensors.settings import AgentSettings
from sensors.uplink.link import Incoming, Link

log = logging.getLogger("kyusui.agent.inbound")
# What the agent restores at start; notices and alerts come again as retained messages.
RESTORED = (ContentKind.PLACES, ContentKind.CONFIG, ContentKind.EMERGENCY)


class Inbound:
    def __init__(
        self,
        settings: AgentSettings,
        local: LocalStateFile,
        inbox: ContentInbox,
        pictures: PictureStore,
        commands: CommandRunner,
        tracker: LevelTracker,
        link: Link,
        confirmed: Callable[[bytes], None],
    ) -> None:
        self.settings = settings
        self.local = local
        self.inbox = inbox
        self.pictures = pictures
        self.commands = commands
        self.tracker = tracker
        self.link = link  # command results go back on it
        self.confirmed = confirmed  # a ``…/stored`` message, for the pumps
        self.runtime = RuntimeConfig.from_settings(settings)
        self.result_topic = station_topic(settings.station_id, StationTopic.CMD_RESULT)

    def restore(self) -> None:
        """The station's identity, settings and verified content into the local state."""
        s, state = self.settings, self.local.state
        state.set_station(s.station_id, s.name_ja, s.name_en, s.area, s.names)
        state.set_site(Site(s.latitude, s.longitude, s.address))
        self.tracker.hysteresis_c = self.runtime.hysteresis_c
        state.set_display(self.runtime.display())
        for kind in RESTORED:  # what the agent verified before, also into a rebuilt file
            for content in self.inbox.stored(kind):
                self.apply(content)
        state.set_forecast(newest_forecast(self.inbox))

    def handle(self, message: Incoming) -> None:
        try:
            where = parse_topic(message.topic)
        except ContractError as exc:
            log.warning("ignoring a message on %s: %s", message.topic, exc.detail)
            return
        if where.kind == "cmd":
            self._command(message)
        elif where.kind == "stored":
            self.confirmed(message.payload)
        elif where.kind == IMAGE:
            self._picture(where, message.payload)
        elif (content := self.inbox.accept(where, message.topic, message.payload)) is not None:
            self.apply(content)

    def apply(self, content: AnyContent) -> None:
        """Verified content into the local state and the agent's own settings."""
        state = self.local.state
        if isinstance(content, Notice):
            if content.withdrawn:
                state.remove_notice(content.id)
            else:
                state.upsert_notice(notice_view(content))
                image = image_view(content)
                if image is not None:
                    self.pictures.notice_names(content.id, image)
            self.pictures.keep_only(self._pictures_named())
        elif isinstance(content, HeatAlert):
            state.set_alert(alert_view(content))
        elif isinstance(content, PlaceList):
            state.set_places(places_view(content))
        elif isinstance(content, Emergency):
            if content.withdrawn:
                state.remove_emergency(content.id)
            else:
                state.set_emergency(emergency_view(content))
        elif isinstance(content, OfficialForecast):
            state.set_forecast(forecast_view(content))
        elif isinstance(content, StationConfig):
            self.runtime = self.runtime.apply(content)
            self.tracker.hysteresis_c = self.runtime.hysteresis_c
            state.set_display(self.runtime.display())
            log.info("configuration %s v%d applied: %s", content.id, content.version, self.runtime)

    def _notices(self) -> list[Notice]:
        held = self.inbox.stored(ContentKind.NOTICE)
        return [n for n in held if isinstance(n, Notice) and not n.withdrawn]

    def _pictures_named(self) -> list[ImageView]:
        return [i for i in (image_view(n) for n in self._notices()) if i is not None]

    def _picture(self, where: ParsedTopic, payload: bytes) -> None:
        """A notice's picture: stored only if it is what the signed notice names."""
        wanted = next((image_view(n) for n in self._notices() if n.id == where.notice_id), None)
        self.pictures.received(where.notice_id or "", payload, wanted)

    def _command(self, message: Incoming) -> None:
        def answer(result: bytes) -> None:
            self.link.publish(self.result_topic, result, correlation=message.correlation)

        self.commands.submit(message.payload, answer)
