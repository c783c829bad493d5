"""Pictures for tests: a poster as a ward would send it (a camera's JPEG with EXIF and GPS,
or a PNG), drawn with Pillow."""

import io

from PIL import Image, ImageDraw

POSTER_BLUE = (20, 60, 200)
POSTER_YELLOW = (250, 210, 0)


def poster(width: int = 1600, height: int = 1200, kind: str = "JPEG") -> bytes:
    """A blue poster with a yellow disc; as JPEG it carries EXIF with a GPS position."""
    image = Image.new("RGB", (width, height), POSTER_BLUE)
    draw = ImageDraw.Draw(image)
    draw.ellipse((width // 4, height // 4, 3 * width // 4, 3 * height // 4), fill=POSTER_YELLOW)
    out = io.BytesIO()
    if kind == "JPEG":
        exif = Image.Exif()
        exif[0x010F] = "Camera maker"  # Make
        exif[0x0131] = "Photo software 1.0"  # Software
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = "N", (35.0, 26.0, 40.0)  # GPSLatitudeRef, GPSLatitude
        image.save(out, format="JPEG", exif=exif, quality=90)
    else:
        image.save(out, format=kind)
    return out.getvalue()
