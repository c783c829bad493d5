"""The settings base every process uses: a TOML file, then environment variables on top.

Each process defines one subclass with its own env prefix, e.g. ``KYUSUI_AGENT_``; the
TOML file is named by ``<PREFIX>CONFIG`` (``KYUSUI_AGENT_CONFIG=/etc/kyusui/agent.toml``).
"""

import os
from pathlib import Path
from typing import Any, ClassVar

from pydantic import SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class TomlSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="forbid", env_nested_delimiter="__")
    default_config_file: ClassVar[str | None] = None

    @classmethod
    def config_file(cls) -> Path | None:
        prefix = cls.model_config.get("env_prefix", "")
        named = os.environ.get(f"{prefix}CONFIG")
        if named:
            return Path(named)
        return Path(cls.default_config_file) if cls.default_config_file else None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = cls.config_file()
        if path is not None and path.exists():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    def masked(self) -> dict[str, Any]:
        """The effective settings with secrets hidden, for the one start-up log line."""

        def mask(value: Any) -> Any:
            if isinstance(value, SecretStr):
                return "***" if value.get_secret_value() else ""
            if isinstance(value, dict):
                return {k: mask(v) for k, v in value.items()}
            if isinstance(value, Path):
                return str(value)
            return value

        return {name: mask(getattr(self, name)) for name in type(self).model_fields}
