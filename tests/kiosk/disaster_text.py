"""A disaster mode in every kiosk language, as ward staff would write it."""

from typing import Any

MESSAGE = {
    "ja": "大雨のため避難所を開設しました。",
    "ja-easy": "あめが たくさん ふって います。ひなんじょが あきました。",
    "en": "Heavy rain: evacuation shelters are open.",
    "zh": "因暴雨已开放避难所。",
    "ko": "폭우로 대피소를 열었습니다.",
    "vi": "Do mưa lớn, nơi sơ tán đã mở.",
}
SHELTERS: list[dict[str, Any]] = [
    {
        "name": {
            "ja": "本町小学校",
            "ja-easy": "ほんちょう しょうがっこう",
            "en": "Honcho Elementary School",
            "zh": "本町小学",
            "ko": "혼초 초등학교",
            "vi": "Trường tiểu học Honcho",
        }
    },
    {
        "name": {
            "ja": "港中学校",
            "ja-easy": "みなと ちゅうがっこう",
            "en": "Minato Junior High School",
            "zh": "港中学",
            "ko": "미나토 중학교",
            "vi": "Trường trung học Minato",
        }
    },
]
