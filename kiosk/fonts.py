"""The one font every label uses. Kivy has no fallback: a font without a glyph draws boxes."""

from pathlib import Path

FONT_NAME = "KioskFont"


class FontMissingError(RuntimeError):
    pass


def check_fonts(regular: Path, bold: Path) -> None:
    for role, path in (("regular", regular), ("bold", bold)):
        if not path.is_file():
            raise FontMissingError(
                f"the kiosk's {role} font {path} does not exist: install Debian's"
                " fonts-noto-cjk, or name a font that covers Japanese, Chinese, Korean and"
                f" Vietnamese with KYUSUI_KIOSK_FONT_{role.upper()}"
            )


def register_fonts(regular: Path, bold: Path) -> None:
    """Register the font under ``FONT_NAME``; fails clearly when a file is missing."""
    check_fonts(regular, bold)
    from kivy.core.text import LabelBase

    LabelBase.register(name=FONT_NAME, fn_regular=str(regular), fn_bold=str(bold))
