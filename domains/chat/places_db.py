"""The place-bound ports over the places data: ``domains.location`` (facilities, PostGIS,
Kakao when a key is set) and ``domains.info`` (district fees, recyclable prices, the collection
calendar). The chat worker uses these when it has the database (``functions/chat/main.py``).

A user's location reaches the chat as coordinates or as words ("마포구 망원동"). Coordinates
are searched directly and their district is ``LocationService.region``; words are matched
against the districts the data has (a 시군구 name, or its last word: "영통구") and a 동 among
them picks the collection zone. The chat's place kinds map onto the facility kinds as
docs/places.md lays out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domains.chat.events import Location
from domains.chat.places import Fee, KnowledgePrices, NoData, Place, PlaceKind, PriceQuote
from domains.info.exceptions import UnknownDistrict
from domains.info.schemas import Price, Zone
from domains.info.service import InfoService
from domains.knowledge.text import compact
from domains.location.schemas import PlaceHit
from domains.location.service import LocationService

# chat kind → (facility kinds, accepted item, text searched when there is no kind of ours)
KINDS: dict[str, tuple[tuple[str, ...], str | None, str | None]] = {
    "recycling_centre": (("recycling_centre",), None, None),
    "zero_waste_shop": (("zero_waste_shop",), None, None),
    "battery_bin": (("battery_box", "lamp_battery_box"), None, None),
    "lamp_bin": (("lamp_box", "lamp_battery_box"), None, None),
    "clothes_bin": (("clothing_bin",), None, None),
    "medicine_bin": (("medicine_box",), None, None),
    "small_appliance_bin": ((), "소형가전", None),
    "community_centre": ((), None, "주민센터"),
}
NEAR_LIMIT = 3
_DONG = re.compile(r"([가-힣]+?)(\d*)(동|가)$")


@dataclass(frozen=True)
class Where:
    """A district of the data and, when the user named one, a 동."""

    sido: str
    sigungu: str
    dong: str | None = None


def _place(kind: PlaceKind, hit: PlaceHit) -> Place:
    return Place(
        name=hit.name,
        kind=kind,
        address=hit.address,
        distance_m=hit.distance_m,
        open_now=hit.open_now,
        phone=hit.phone,
    )


class DbPlaces:
    """``Places`` over ``LocationService``: nearest first with geodesic distances."""

    loaded = True

    def __init__(self, locations: LocationService, radius_m: int | None = None) -> None:
        self.locations = locations
        self.radius_m = radius_m

    async def near(self, kind: PlaceKind, location: Location) -> list[Place]:
        kinds, item, words = KINDS[kind]
        if location.lat is not None and location.lon is not None:
            if words is not None:
                hits = await self.locations.search(
                    words, lat=location.lat, lon=location.lon, radius_m=self.radius_m
                )
            else:
                hits = await self.locations.nearby(
                    location.lat,
                    location.lon,
                    radius_m=self.radius_m,
                    kinds=kinds,
                    item=item,
                    limit=NEAR_LIMIT,
                )
            return [_place(kind, hit) for hit in hits[:NEAR_LIMIT]]
        # Words only: places whose address or name holds the most precise word given.
        for query in _queries(location.text or ""):
            hits = await self.locations.search(query, limit=self.locations.settings.max_results)
            wanted = [
                hit
                for hit in hits
                if (hit.kind in kinds if kinds else True)
                and (item is None or any(item in a for a in hit.accepts))
                and (words is None or words in hit.name)
            ]
            if wanted:
                return [_place(kind, hit) for hit in wanted[:NEAR_LIMIT]]
        return []


def _queries(text: str) -> list[str]:
    """The words of a spoken place to search by, most precise first: "망원1동" (and its stem
    "망원", as addresses spell the legal 동), then "마포구"."""
    words = [w for w in re.split(r"[\s,]+", text.strip()) if len(w) >= 2]
    dongs = [w for w in words if _DONG.search(w)]
    stems = [m.group(1) for w in dongs if (m := _DONG.search(w)) and len(m.group(1)) >= 2]
    rest = [w for w in words if w not in dongs]
    return list(dict.fromkeys([*dongs, *stems, *reversed(rest)]))


class Districts:
    """Reads a ``Location`` as a district the data has."""

    def __init__(self, info: InfoService, locations: LocationService) -> None:
        self.info = info
        self.locations = locations

    async def of(self, location: Location) -> Where:
        known = await self.info.districts()
        if location.lat is not None and location.lon is not None:
            region = await self.locations.region(location.lat, location.lon)
            if region is None:
                raise NoData("그 위치 근처의 지역 자료가 없어요")
            dong = region.dong or _dong_in(location.text or "")
            return Where(region.sido, region.sigungu, dong)
        text = compact(location.text or "")
        for sido, sigungu in known:
            names = {compact(sigungu), compact(sigungu.split()[-1])}
            short = compact(sigungu.split()[-1])[:-1]  # "강남구" → "강남"
            if any(name and name in text for name in names) or (
                len(short) >= 2 and short in text and not _dong_in(short)
            ):
                return Where(sido, sigungu, _dong_in(location.text or ""))
        have = ", ".join(f"{a} {b}" for a, b in known) or "없음"
        raise NoData(f"'{location.text or '그 위치'}'의 자료가 없어요(자료가 있는 곳: {have})")


def _dong_in(text: str) -> str | None:
    return next((w for w in re.split(r"[\s,]+", text) if _DONG.search(w)), None)


class DbFees:
    """``BulkFees`` over ``InfoService.bulk_waste_fees``: the best-matching item, all its
    specs (a sofa's 1인용, 2인용, 3인용 이상)."""

    loaded = True

    def __init__(self, districts: Districts) -> None:
        self.districts = districts

    async def fees(self, text: str, location: Location) -> list[Fee]:
        where = await self.districts.of(location)
        try:
            found = await self.districts.info.bulk_waste_fees(
                where.sigungu, sido=where.sido, query=text, limit=20
            )
        except UnknownDistrict as exc:
            raise NoData(f"{where.sigungu}의 대형폐기물 수수료 자료가 없어요") from exc
        if not found:
            return []
        best = found[0].item
        return [
            Fee(
                item=f.item,
                district=f"{f.sido} {f.sigungu}",
                fee_won=f.fee_won,
                spec=f.spec,
                free=f.free,
            )
            for f in found
            if f.item == best
        ]


class DbCollection:
    """``Collection`` over ``InfoService.tonight``: the user's zone when a 동 names it, else
    every zone of the district."""

    loaded = True

    def __init__(self, districts: Districts) -> None:
        self.districts = districts

    async def tonight(self, location: Location) -> str:
        where = await self.districts.of(location)
        info = self.districts.info
        try:
            zones = await info.zones(where.sigungu, sido=where.sido)
        except UnknownDistrict as exc:
            raise NoData(f"{where.sigungu}의 배출 요일 자료가 없어요") from exc
        chosen = _zones_of(zones, where.dong) or zones
        lines = []
        for zone in chosen:
            tonight = await info.tonight(where.sigungu, sido=where.sido, zone=zone.zone)
            lead = f"{zone.sigungu} {zone.zone}" + (f"({zone.areas})" if zone.areas else "")
            lines.append(f"{lead}: {tonight.message}.")
        return " ".join(lines)


def _zones_of(zones: list[Zone], dong: str | None) -> list[Zone]:
    """The zones whose areas name ``dong`` ("역삼동" finds "역삼1동+역삼2동")."""
    if not dong:
        return []
    match = _DONG.search(dong)
    stem = match.group(1) if match else dong
    exact = [z for z in zones if z.areas and dong in z.areas.split("+")]
    return exact or [z for z in zones if z.areas and stem in z.areas]


class DbPrices:
    """``Prices`` over ``InfoService.prices`` (the latest month), in ``region`` when it has
    the material, else another region's; the knowledge base's survey for a material the table
    does not list."""

    def __init__(
        self, info: InfoService, region: str = "수도권", fallback: KnowledgePrices | None = None
    ) -> None:
        self.info = info
        self.region = region
        self.fallback = fallback or KnowledgePrices()

    async def quote(self, text: str) -> list[PriceQuote]:
        flat = compact(text.lower())
        matched: dict[str, tuple[int, Price]] = {}
        for price in await self.info.prices():
            score = _named(price.material, flat)
            if price.unit != "kg" or not score:
                continue
            if price.material in matched and price.region != self.region:
                continue
            matched[price.material] = (score, price)
        # "알루미늄 캔" names 캔(알루미늄) by its qualifier: 캔(철), named by "캔" alone, drops.
        best = {
            _head(m): max(s for n, (s, _) in matched.items() if _head(n) == _head(m))
            for m in matched
        }
        return [
            PriceQuote(
                name=price.material,
                won_per_kg=price.price_won,
                region=price.region,
                date=price.month.strftime("%Y-%m"),
                source="재활용가능자원 가격조사(places 자료)",
            )
            for material, (score, price) in matched.items()
            if score == best[_head(material)]
        ] or await self.fallback.quote(text)


def _head(material: str) -> str:
    return compact(material.lower().partition("(")[0])


def _named(material: str, flat: str) -> int:
    """2 when the question names the material's qualifier ("알루미늄" of "캔(알루미늄)"), 1 its
    head ("캔"), 0 neither. A one-letter qualifier ("철") does not count alone, or "고철"
    would ask for "캔(철)"."""
    qualifier = compact(material.lower().partition("(")[2].rstrip(")"))
    if len(qualifier) >= 2 and qualifier in flat:
        return 2
    head = _head(material)
    return 1 if head and head in flat else 0


@dataclass
class LocalData:
    """The four place-bound ports on one database."""

    places: DbPlaces
    fees: DbFees
    collection: DbCollection
    prices: DbPrices

    @classmethod
    def over(
        cls, locations: LocationService, info: InfoService, radius_m: int | None = None
    ) -> LocalData:
        districts = Districts(info, locations)
        return cls(
            places=DbPlaces(locations, radius_m),
            fees=DbFees(districts),
            collection=DbCollection(districts),
            prices=DbPrices(info),
        )
