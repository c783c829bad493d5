"""From the bytes the site served to rows of cells: encoding, HTML error pages, CSV."""

import csv
import io

from server.official.errors import OfficialDataError

_BOM = b"\xef\xbb\xbf"


def decode(data: bytes) -> str:
    """UTF-8 (with or without a BOM) or Shift_JIS, as the files are found in the wild."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            # cp932 is Shift_JIS as Windows writes it, a superset of the plain codec.
            text = data.decode("cp932")
        except UnicodeDecodeError as exc:
            raise _not_text(f"byte {exc.start}: {data[exc.start : exc.start + 4]!r}") from None
        # cp932 maps stray bytes such as 0xFF to private-use characters no real file holds.
        odd = next((i for i, ch in enumerate(text) if "\ue000" <= ch <= "\uf8ff"), None)
        if odd is not None:
            raise _not_text(f"character {odd} is a stray byte")  # noqa: B904 - not from the decode error
    head = text.lstrip()[:200].lower()
    if head.startswith(("<!doctype", "<html", "<?xml", "<head", "<body")):
        raise OfficialDataError(
            "html", "an HTML page, not a CSV file (an error page served with 200?)"
        )
    if not text.strip():
        raise OfficialDataError("empty", "the file is empty")
    return text


def _not_text(where: str) -> OfficialDataError:
    return OfficialDataError("encoding", f"neither UTF-8 nor Shift_JIS ({where})")


def rows(data: bytes) -> list[list[str]]:
    """Every non-blank row, cells stripped of surrounding spaces."""
    reader = csv.reader(io.StringIO(decode(data)))
    try:
        table = [[cell.strip() for cell in row] for row in reader]
    except csv.Error as exc:
        raise OfficialDataError("row", f"not CSV: {exc}") from None
    return [row for row in table if any(row)]
