"""What every kind of signed content shares (contract.content and the kinds in their own
modules build on it): the common fields and the text-per-language type."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from contract.messages import ID_PATTERN, EpochMs
from contract.topics import ContentKind

LangText = Annotated[
    dict[
        Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,8})?$")],
        Annotated[str, Field(max_length=2000)],
    ],
    Field(min_length=1),
]


class ContentBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    kind: ContentKind
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    version: Annotated[int, Field(ge=1, le=2**53 - 1)]
    issued_at: EpochMs
    expires_at: EpochMs | None = None
