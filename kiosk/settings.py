"""The kiosk's settings: ``/etc/kyusui/kiosk.toml`` plus ``KYUSUI_KIOSK_*``."""

from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from contract.settings import TomlSettings

NOTO_DIR = Path("/usr/share/fonts/opentype/noto")


class KioskSettings(TomlSettings):
    model_config = SettingsConfigDict(env_prefix="KYUSUI_KIOSK_", extra="forbid")
    default_config_file: ClassVar[str | None] = "/etc/kyusui/kiosk.toml"

    # The agent's state directory (KYUSUI_AGENT_STATE_DIR on the same Pi).
    state_dir: Path = Path("/var/lib/kyusui")
    # Where answered screenshot requests are written; default: <state_dir>/screenshots.
    screenshot_dir: Path | None = None

    # One font must cover Japanese, Chinese, Korean and Vietnamese: Kivy has no fallback.
    font_regular: Path = NOTO_DIR / "NotoSansCJK-Regular.ttc"
    font_bold: Path = NOTO_DIR / "NotoSansCJK-Bold.ttc"

    width: int = Field(800, ge=320, le=7680)
    height: int = Field(480, ge=240, le=4320)
    fullscreen: bool = False
    # The panel's pixel density, for sizes in millimetres. Empty: the official 7" display
    # (800×480 at 132 DPI), scaled with the window.
    dpi: float | None = Field(None, ge=50, le=600)

    refresh_s: float = Field(2.0, gt=0, le=60)  # how often the local state is read
    carousel_dwell_s: float = Field(12.0, ge=2, le=600)
    # Disaster mode's receipts: one per this long on screen (and at its end).
    disaster_receipt_s: float = Field(30.0, ge=1, le=3600)
    idle_reset_s: float = Field(90.0, ge=5, le=3600)  # back to Japanese after no touch
    wake_s: float = Field(120.0, ge=5, le=3600)  # on after a touch or motion at night
    dim_after_s: float = Field(1800.0, ge=10, le=86_400)  # dim when nobody passes by
    burn_in_shift_px: int = Field(6, ge=0, le=40)
    burn_in_period_s: float = Field(300.0, ge=10, le=86_400)

    default_lang: str = "ja"
    large_text: bool = False
    high_contrast: bool = False
    # Digits only; empty means the kiosk cannot be left by touch at all.
    admin_pin: SecretStr = SecretStr("")

    @property
    def screenshots(self) -> Path:
        return self.screenshot_dir or self.state_dir / "screenshots"
