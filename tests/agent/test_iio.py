"""The kernel driver backend, against a sysfs tree laid out as the dht11 driver's."""

import errno
from pathlib import Path

import pytest

from sensors.dht.iio import IioDht, find_iio_device
from sensors.reader import ReadError, read_once


def sysfs(root: Path, temp: str = "27300", rh: str = "61500") -> Path:
    other = root / "iio:device0"
    other.mkdir(parents=True)
    (other / "name").write_text("mcp3008\n")
    device = root / "iio:device1"
    device.mkdir()
    (device / "name").write_text("dht11@4\n")
    (device / "in_temp_input").write_text(temp + "\n")
    (device / "in_humidityrelative_input").write_text(rh + "\n")
    return device


def test_the_dht11_device_is_found_and_read_in_milli_units(tmp_path: Path) -> None:
    device = sysfs(tmp_path)
    assert find_iio_device(tmp_path) == device
    result = read_once(IioDht(device))
    assert (result.temp_c, result.rh, result.error) == (27.3, 61.5, None)


def test_no_device_means_sensor_not_found(tmp_path: Path) -> None:
    assert read_once(IioDht(tmp_path / "iio:device9")).error is ReadError.NOT_FOUND
    with pytest.raises(RuntimeError):
        find_iio_device(tmp_path)


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (errno.ETIMEDOUT, ReadError.TIMEOUT),
        (errno.EIO, ReadError.CHECKSUM),
        (errno.ENOENT, ReadError.NOT_FOUND),
    ],
)
def test_driver_errors_are_classified_like_the_user_space_library_s(
    tmp_path: Path, code: int, error: ReadError
) -> None:
    device = sysfs(tmp_path)

    def failing(path: Path) -> str:
        raise (FileNotFoundError if code == errno.ENOENT else OSError)(code, "driver error")

    assert read_once(IioDht(device, read_text=failing)).error is error


def test_a_garbled_value_is_a_failed_read(tmp_path: Path) -> None:
    device = sysfs(tmp_path, temp="27.3x")
    assert read_once(IioDht(device)).error is ReadError.CHECKSUM
