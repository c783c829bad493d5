"""The Ministry's words for its alerts, in every kiosk language, and the attribution its terms
of use ask for next to its data."""

from contract.content import AlertKind

ATTRIBUTION = {
    "ja": "出典：環境省熱中症予防情報サイト",
    "ja-easy": "でどころ：かんきょうしょう ねっちゅうしょう よぼう じょうほう サイト",
    "en": "Source: Ministry of the Environment, Heatstroke Prevention Information",
    "zh": "来源：日本环境省中暑预防信息网站",
    "ko": "출처: 일본 환경성 열사병 예방 정보 사이트",
    "vi": "Nguồn: Trang thông tin phòng chống say nắng của Bộ Môi trường Nhật Bản",
}

MESSAGES: dict[AlertKind, dict[str, str]] = {
    AlertKind.HEATSTROKE_ALERT: {
        "ja": "熱中症の危険性が極めて高い気象状況になることが予測されます。"
        "外出はなるべく避け、室内をエアコン等で涼しい環境にして過ごしてください。"
        "のどが渇く前にこまめに水分補給をしてください。",
        "ja-easy": "きょうは とても あつく なります。 なるべく そとに でないで、"
        "すずしい へやで すごしましょう。 のどが かわく まえに みずを のみましょう。",
        "en": "Weather conditions with an extremely high risk of heatstroke are expected. "
        "Avoid going out as much as possible and stay in a cool, air-conditioned room. "
        "Drink water often, before you feel thirsty.",
        "zh": "预计将出现中暑危险性极高的天气。请尽量避免外出，在开着空调等凉爽的室内度过。"
        "请在口渴之前勤补充水分。",
        "ko": "열사병 위험이 매우 높은 기상 상황이 예상됩니다. 가급적 외출을 피하고 "
        "에어컨 등으로 시원하게 한 실내에서 지내십시오. 목이 마르기 전에 자주 물을 드십시오.",
        "vi": "Dự báo thời tiết có nguy cơ say nắng cực kỳ cao. Hạn chế ra ngoài hết mức có thể "
        "và ở trong phòng mát có điều hòa. Hãy uống nước thường xuyên, trước khi thấy khát.",
    },
    AlertKind.SPECIAL_HEATSTROKE_ALERT: {
        "ja": "過去に例のない危険な暑さとなり、人の健康に重大な被害が生じるおそれがあります。"
        "エアコンのある涼しい場所で過ごし、クーリングシェルター（指定暑熱避難施設）も"
        "利用してください。周りの人にも声をかけてください。",
        "ja-easy": "いままで ない ほど きけんな あつさ です。 いのちに かかわります。"
        "エアコンの ある すずしい ところ（クーリングシェルター）に いきましょう。"
        "まわりの ひとにも こえを かけましょう。",
        "en": "Dangerous heat without precedent is expected, "
        "with a risk of serious harm to health. "
        "Stay somewhere cool with air conditioning and use a cooling shelter. "
        "Check on the people around you.",
        "zh": "预计将出现前所未有的危险高温，可能对健康造成严重危害。"
        "请在有空调的凉爽场所度过，并利用避暑设施（清凉避难所）。也请关心身边的人。",
        "ko": "전례 없는 위험한 더위로 건강에 심각한 피해가 생길 우려가 있습니다. "
        "에어컨이 있는 시원한 곳에서 지내고 쿨링 셸터를 이용하십시오. 주변 사람도 살펴 주십시오.",
        "vi": "Dự báo nắng nóng nguy hiểm chưa từng có, có thể gây hại nghiêm trọng cho sức khỏe. "
        "Hãy ở nơi mát có điều hòa và dùng điểm tránh nóng (cooling shelter). "
        "Hãy hỏi thăm những người xung quanh.",
    },
}


def official_message(alert: AlertKind) -> dict[str, str] | None:
    """What stations show under an official alert: the Ministry's words, then the source its
    terms ask for beside them (None for ``none``)."""
    words = MESSAGES.get(alert)
    if words is None:
        return None
    return {lang: f"{text}\n{ATTRIBUTION[lang]}" for lang, text in words.items()}
