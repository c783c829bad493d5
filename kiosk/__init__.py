"""The station's touchscreen: a pure view of the local state, in the passer-by's language.

Pure logic (what to show now, carousel, idle reset, display schedule, burn-in shift) lives in
modules that never import Kivy; ``kiosk.app`` and the ``.kv`` files are the only window code.
"""
