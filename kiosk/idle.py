"""Back to Japanese after nobody has touched the screen for a while.

The next passer-by most likely reads Japanese; a stranger's language choice should not
stay on the screen all day.
"""

from dataclasses import dataclass


@dataclass
class IdleReset:
    reset_after_s: float
    home_lang: str = "ja"
    last_touch_s: float | None = None

    def touched(self, now_s: float) -> None:
        self.last_touch_s = now_s

    def idle(self, now_s: float) -> bool:
        """Nobody has touched the screen for ``reset_after_s`` (or ever)."""
        return self.last_touch_s is None or now_s - self.last_touch_s >= self.reset_after_s

    def lang_now(self, lang: str, now_s: float) -> str:
        """The language the screen should show now."""
        if lang == self.home_lang:
            return lang
        if self.last_touch_s is None or now_s - self.last_touch_s >= self.reset_after_s:
            return self.home_lang
        return lang
