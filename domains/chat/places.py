"""The ports of the place-bound sub-agents, and their offline defaults.

Where to take it (``Places``: recycling centres, bins), what it costs (``BulkFees``: a
district's bulk-waste fees), what it sells for (``Prices``) and when it goes out
(``Collection``: tonight's streams). Offline, with no database, the defaults answer from the
knowledge base or say plainly that no list is loaded; ``domains.chat.places_db`` implements the
same ports over the places data (``domains.location``, ``domains.info``).
"""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import BaseModel

from domains.chat.events import Location

PlaceKind = Literal[
    "recycling_centre",
    "zero_waste_shop",
    "community_centre",
    "battery_bin",
    "lamp_bin",
    "clothes_bin",
    "medicine_bin",
    "small_appliance_bin",
]


class NoData(Exception):
    """The data has nothing for this place or district; the message says what it has."""


class Place(BaseModel):
    name: str
    kind: PlaceKind
    address: str
    distance_m: float | None = None
    open_now: bool | None = None
    phone: str | None = None


class Places(Protocol):
    loaded: bool

    async def near(self, kind: PlaceKind, location: Location) -> list[Place]: ...


class KnowledgePlaces:
    """No facility list (no database): finds nothing, honestly."""

    loaded = False

    async def near(self, kind: PlaceKind, location: Location) -> list[Place]:
        return []


class Fee(BaseModel):
    item: str
    district: str
    fee_won: int
    spec: str = ""
    free: bool = False


class BulkFees(Protocol):
    loaded: bool

    async def fees(self, text: str, location: Location) -> list[Fee]:
        """The district's fees for what ``text`` names, best first (several specs of one
        item); ``NoData`` when the district has no table."""
        ...


class KnowledgeFees:
    """No district fee table (no database)."""

    loaded = False

    async def fees(self, text: str, location: Location) -> list[Fee]:
        return []


class Collection(Protocol):
    loaded: bool

    async def tonight(self, location: Location) -> str:
        """One Korean paragraph: what goes out this evening where the user is, per zone;
        ``NoData`` when the district has no schedule."""
        ...


class NoCollection:
    """No collection calendar (no database)."""

    loaded = False

    async def tonight(self, location: Location) -> str:
        raise NoData("배출 요일 자료가 연결되지 않았어요")


class PriceQuote(BaseModel):
    name: str
    won_per_kg: int
    region: str
    date: str
    source: str


class Prices(Protocol):
    async def quote(self, text: str) -> list[PriceQuote]: ...


class KnowledgePrices:
    """The knowledge base's recyclable price survey (``prices.yaml``)."""

    def __init__(self, region: str = "nationwide") -> None:
        self.region = region

    async def quote(self, text: str) -> list[PriceQuote]:
        from domains.knowledge import load_knowledge
        from domains.knowledge.text import compact

        table = load_knowledge().prices
        flat = compact(text.lower())
        found: list[PriceQuote] = []
        for item in table.items:
            names = [item.name, *item.synonyms]
            if any(compact(n.lower()) and compact(n.lower()) in flat for n in names):
                price = item.prices.get(self.region, item.prices["nationwide"])
                found.append(
                    PriceQuote(
                        name=item.name,
                        won_per_kg=price,
                        region=table.regions.get(self.region, self.region),
                        date=table.date,
                        source=table.source,
                    )
                )
        return found
