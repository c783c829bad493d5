"""DHT22 access behind the interface ``adafruit_dht.DHT22`` has, with a fake that fails like one."""

from sensors.dht.device import DhtDevice, open_device
from sensors.dht.fake import Failure, FakeDHT

__all__ = ["DhtDevice", "Failure", "FakeDHT", "open_device"]
