"""Settings of ``kyusui-provision`` on the server: ``/etc/kyusui/provision.toml`` + env.

The server installer writes this file, so a technician's ``enrol`` needs only the station's
own details. Every setting can also be given as an option.
"""

from pathlib import Path
from typing import ClassVar

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from contract.settings import TomlSettings


class ProvisionSettings(TomlSettings):
    model_config = SettingsConfigDict(env_prefix="KYUSUI_PROVISION_", extra="forbid")
    default_config_file: ClassVar[str | None] = "/etc/kyusui/provision.toml"

    api_url: str = "http://127.0.0.1:8000"
    api_token: SecretStr = SecretStr("")
    # What stations connect to. 8883 is MQTT over TLS; the demo broker is plain MQTT on 18830.
    broker_host: str = ""
    broker_port: int = 8883
    broker_ca_file: Path | None = None
    content_key_file: Path = Path("/etc/kyusui/keys/content-signing.pub")
    # The broker this server manages; unset: enrol prints the lines to add by hand.
    broker_passwd_file: Path | None = None
    broker_acl_file: Path | None = None
    broker_reload_command: str = "systemctl reload mosquitto"
