"""From the provisioning settings to the registry client, the broker files and the endpoint."""

from provisioning.broker_files import ManagedBroker
from provisioning.enrol import BrokerEndpoint
from provisioning.registry_client import RegistryClient
from provisioning.settings import ProvisionSettings


def registry_of(settings: ProvisionSettings) -> RegistryClient:
    return RegistryClient(settings.api_url, settings.api_token.get_secret_value())


def broker_of(settings: ProvisionSettings) -> ManagedBroker | None:
    if settings.broker_passwd_file is None or settings.broker_acl_file is None:
        return None
    return ManagedBroker(
        settings.broker_passwd_file, settings.broker_acl_file, settings.broker_reload_command
    )


def endpoint_of(settings: ProvisionSettings) -> BrokerEndpoint:
    if not settings.broker_host:
        raise ValueError(
            "ブローカーのホスト名がありません / no broker host: give --broker-host"
            " (the name stations connect to) or set broker_host in provision.toml"
        )
    if settings.broker_port == 8883 and settings.broker_ca_file is None:
        raise ValueError(
            "ポート 8883 は TLS です: --broker-ca が必要です / port 8883 is MQTT over TLS and"
            " needs --broker-ca; for a plain-MQTT broker (such as the demo's, port 18830)"
            " give its --broker-port"
        )
    return BrokerEndpoint(settings.broker_host, settings.broker_port, settings.broker_ca_file)
