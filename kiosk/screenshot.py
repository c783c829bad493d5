"""The window's current frame as a PNG file."""

from pathlib import Path

from kivy.core.window import Window


def write_png(path: Path) -> None:
    """The window's current frame as PNG, through SDL (no imaging library needed)."""
    from kivy.graphics.opengl import GL_RGB, GL_UNSIGNED_BYTE, glReadPixels

    path.parent.mkdir(parents=True, exist_ok=True)
    width, height = Window.size
    data = glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE)
    Window._win.save_bytes_in_png(str(path), data, width, height)
