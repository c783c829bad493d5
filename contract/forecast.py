"""The official WBGT forecast the stations show: the Ministry of the Environment's daily
maximum for today and the next days at the ward's official point, with the source its terms
of use ask for. Retained on ``kyusui/v1/all/forecast`` (one item, id ``official``); it
expires at the end of its last day, so a station cut off from the network shows it until
then and never after.
"""

from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contract.content_base import ContentBase, LangText
from contract.messages import EpochMs
from contract.topics import ContentKind

IsoDay = Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]  # a JST day


class ForecastDay(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    day: IsoDay
    max_wbgt: Annotated[float, Field(ge=-30, le=60)]


class OfficialForecast(ContentBase):
    kind: Literal[ContentKind.FORECAST] = ContentKind.FORECAST
    point: Annotated[str, Field(pattern=r"^[0-9]{5}$")]  # the official point, e.g. 46106 横浜
    made_at: EpochMs  # when the Ministry made the forecast
    days: Annotated[list[ForecastDay], Field(min_length=1, max_length=7)]
    attribution: LangText  # 「出典：環境省熱中症予防情報サイト」 in each kiosk language

    @model_validator(mode="after")
    def _checked(self) -> Self:
        if "ja" not in self.attribution:
            raise ValueError("the attribution needs at least Japanese ('ja')")
        days = [d.day for d in self.days]
        if days != sorted(set(days)):
            raise ValueError("days must be distinct and in order")
        return self

    def for_day(self, day: str) -> ForecastDay | None:
        """The forecast for the JST day ``YYYY-MM-DD``, if it has one."""
        return next((d for d in self.days if d.day == day), None)
