"""A few real places in Yokohama's Naka ward for the demo: where to cool down near its
stations. Positions are the buildings' entrances, read off the Geospatial Information
Authority's map; opening hours are as the places publish them (2026)."""

from contract.places import Hours, Offer, Place, PlaceKind, Window

_WEEKDAYS_9_17 = {
    d: [Window(start="08:45", end="17:15")] for d in ("mon", "tue", "wed", "thu", "fri")
}

# Where the demo stations stand (id → latitude, longitude, address).
STATION_SITES: dict[str, tuple[float, float, str]] = {
    "yokohama-naka-01": (35.4443, 139.6420, "横浜市中区日本大通35 中区役所前"),
    "yokohama-naka-02": (35.4462, 139.6500, "横浜市中区山下町279 山下公園"),
    "yokohama-kohoku-01": (35.5388, 139.6345, "横浜市港北区綱島西1丁目 綱島駅前"),
}


def site_settings(station_id: str) -> dict[str, str]:
    """The agent settings for where a demo station stands (none for an unknown one)."""
    if station_id not in STATION_SITES:
        return {}
    latitude, longitude, address = STATION_SITES[station_id]
    return {"latitude": str(latitude), "longitude": str(longitude), "address": address}


NAKA_PLACES: tuple[Place, ...] = (
    Place(
        id="naka-ward-office",
        kind=PlaceKind.COOLING_SHELTER,
        name={
            "ja": "中区役所",
            "ja-easy": "なかくやくしょ",
            "en": "Naka Ward Office",
            "zh": "中区区政府",
            "ko": "나카구청",
            "vi": "Văn phòng quận Naka",
        },
        latitude=35.4443,
        longitude=139.6420,
        address="横浜市中区日本大通35",
        hours=Hours(weekly=_WEEKDAYS_9_17, special_alert=True),
        offers=[Offer.WATER, Offer.AIR_CONDITIONING, Offer.SEATS, Offer.TOILET, Offer.BARRIER_FREE],
    ),
    Place(
        id="central-library",
        kind=PlaceKind.COOLING_SHELTER,
        name={
            "ja": "横浜市中央図書館",
            "ja-easy": "としょかん（ちゅうおう）",
            "en": "Yokohama Central Library",
            "zh": "横滨市中央图书馆",
            "ko": "요코하마시 중앙도서관",
            "vi": "Thư viện Trung tâm Yokohama",
        },
        latitude=35.4463,
        longitude=139.6262,
        address="横浜市西区老松町1",
        hours=Hours(
            weekly={
                **{d: [Window(start="09:30", end="20:30")] for d in ("tue", "wed", "thu", "fri")},
                **{d: [Window(start="09:30", end="17:00")] for d in ("sat", "sun", "mon")},
            },
            closed_dates=["2026-07-13", "2026-08-10"],
            special_alert=True,
        ),
        offers=[Offer.AIR_CONDITIONING, Offer.SEATS, Offer.TOILET, Offer.BARRIER_FREE],
    ),
    Place(
        id="yamashita-park-engawa",
        kind=PlaceKind.BENCH,
        name={
            "ja": "山下公園 まちの縁側",
            "ja-easy": "やましたこうえんの ベンチ",
            "en": "Yamashita Park bench (Machi no Engawa)",
            "zh": "山下公园 街角长椅",
            "ko": "야마시타 공원 마을 쉼터 벤치",
            "vi": "Ghế nghỉ công viên Yamashita",
        },
        latitude=35.4458,
        longitude=139.6489,
        hours=Hours(always=True),
        offers=[Offer.SEATS],
    ),
    Place(
        id="kannai-station-water",
        kind=PlaceKind.WATER,
        name={
            "ja": "関内駅前 給水スポット",
            "ja-easy": "かんないえきの みずのみば",
            "en": "Kannai Station water point",
            "zh": "关内站前 饮水点",
            "ko": "간나이역 앞 급수대",
            "vi": "Điểm nước uống ga Kannai",
        },
        latitude=35.4437,
        longitude=139.6368,
        hours=Hours(
            weekly={
                d: [Window(start="06:00", end="23:00")]
                for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
            }
        ),
        offers=[Offer.WATER, Offer.BARRIER_FREE],
    ),
    Place(
        id="yokohama-naka-02",
        kind=PlaceKind.STATION,
        name={
            "ja": "山下公園 まちの給水所",
            "ja-easy": "やましたこうえんの みずのみば",
            "en": "Yamashita Park water station",
            "zh": "山下公园 供水站",
            "ko": "야마시타 공원 급수소",
            "vi": "Trạm nước công viên Yamashita",
        },
        latitude=35.4462,
        longitude=139.6500,
        address="横浜市中区山下町279",
        hours=Hours(always=True),
        offers=[Offer.WATER],
    ),
)
