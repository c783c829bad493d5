"""Give memory freed during start-up back to the system (glibc keeps it by default).

Parsing the layout, the catalogs and the fonts' tables leaves freed heap behind; on a
1 GB Pi that is worth returning. Elsewhere (no glibc) this does nothing.
"""

import ctypes
import ctypes.util


def release_free_memory() -> bool:
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return bool(trim(0))
