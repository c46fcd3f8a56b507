"""Finding the everyday item a text talks about: longest alias match, then a typo-tolerant match
(``spelling``); the words around each alias (``phrasing``) say whether it is the item.

Aliases and text are compared in their compact form (normalised, no spaces), so "피자 박스",
"피자박스" and "pizza box" meet. One-letter aliases ("캔", "병") only count as a word of their
own, because inside other words they mean something else ("스캔", "병원").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domains.knowledge import phrasing
from domains.knowledge.exceptions import KnowledgeError
from domains.knowledge.models import LexiconEntry, PartSpec
from domains.knowledge.spelling import SpellingIndex
from domains.knowledge.text import Normaliser, compact

# A size or amount written between a name and its container ("18l", "500ml", "1.5리터").
_SIZE = re.compile(r"([0-9]+(l|ml|리터|미리|kg|g)?)?")
_PARTICLE = "(?:이|가|을|를|은|는|도|만|에|랑|이랑|하고|과|와)?"


@dataclass(frozen=True)
class Match:
    """An entry found in a text, where, and whether the user means one of its parts.

    ``rivals`` are the other items the text names as candidates for what it is about (not
    modifiers, not removed parts, not overlapping this alias): their presence makes the answer
    less certain. ``aside`` says the alias was found only inside brackets or as a removed part.
    """

    entry: LexiconEntry
    alias: str
    fuzzy: float | None = None
    focus: PartSpec | None = None
    coverage: float = 1.0
    rivals: tuple[LexiconEntry, ...] = ()
    aside: bool = False
    covers_head: bool | None = None  # None: no head noun was given or found
    # Items the text names as taken off or out ("건전지 빼낸 벽시계": 건전지), not the thing.
    removed: tuple[LexiconEntry, ...] = ()


def _bracketed(text: str) -> list[bool]:
    """For each character of ``compact(text)``, whether it sits inside brackets in ``text``."""
    flags: list[bool] = []
    depth = 0
    for char in text:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        elif compact(char):
            flags.append(depth > 0)
    return flags


def _clauses(text: str) -> list[int]:
    """For each character of ``compact(text)``, the index of its clause (split at , . ! ?)."""
    out: list[int] = []
    clause = 0
    for char in text:
        if char in ",.!?":
            clause += 1
        elif compact(char):
            out.append(clause)
    return out


def _word_starts(text: str) -> set[int]:
    """Offsets in the compact form of ``text`` where one of its words begins."""
    starts: set[int] = set()
    offset = 0
    for word in text.split(" "):
        starts.add(offset)
        offset += len(compact(word))
    return starts


class Lexicon:
    """All lexicon aliases, indexed for exact and fuzzy lookup."""

    def __init__(self, entries: list[LexiconEntry], normalise: Normaliser) -> None:
        self._normalise = normalise
        self._by_name: dict[str, LexiconEntry] = {}
        owner: dict[str, str] = {}
        aliases: list[tuple[str, LexiconEntry]] = []
        for entry in entries:
            if entry.name in self._by_name:
                raise KnowledgeError(f"lexicon: item {entry.name!r} listed twice")
            self._by_name[entry.name] = entry
            for raw in {entry.name, *entry.aliases}:
                alias = compact(normalise(raw))
                if not alias:
                    continue
                if alias in owner and owner[alias] != entry.name:
                    raise KnowledgeError(
                        f"lexicon: alias {raw!r} of {entry.name!r} already names {owner[alias]!r}"
                    )
                if alias not in owner:
                    owner[alias] = entry.name
                    aliases.append((alias, entry))
        aliases.sort(key=lambda pair: len(pair[0]), reverse=True)
        # Every alias of two letters or more by its text, and the lengths that occur: a text is
        # searched by looking up its own substrings of those lengths (~100 for a phrase) rather
        # than by searching it for each of the thousands of aliases.
        self._long: dict[str, LexiconEntry] = {a: e for a, e in aliases if len(a) > 1}
        self._lengths = sorted({len(a) for a in self._long})
        self._keys: dict[str, str] = {}  # part name → compact normalised form (``_key``)
        # Things people take off an item (every part with a stream of its own, and the usual
        # wrappings): named before a removal in the clause of another item, they were removed.
        self._accessories = {
            compact(normalise(word))
            for entry in entries
            for part in entry.parts
            if part.category is not None
            for name in (part.name, *part.aliases)
            for word in name.split("·")
        } | {compact(normalise(w)) for w in phrasing.ACCESSORIES}
        self._short = [
            (re.compile(rf"(?<![가-힣a-z0-9]){re.escape(a)}{_PARTICLE}(?![가-힣a-z0-9])"), a, e)
            for a, e in aliases
            if len(a) == 1
        ]
        self._short_names = {a for _, a, _ in self._short}
        self._spelling = SpellingIndex(aliases, self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def entry(self, name: str) -> LexiconEntry | None:
        """The entry with this canonical name."""
        return self._by_name.get(name)

    def match(self, text: str, head: tuple[int, int] | None = None) -> Match | None:
        """The best entry for normalised ``text``, or None.

        ``head``: where the text's head noun is in its compact form (``text.head_span``); an
        alias that covers it is what the text is about, ahead of longer ones that do not.
        """
        flat = compact(text)
        if not flat:
            return None
        starts = _word_starts(text)
        bracketed = _bracketed(text)
        candidates = [
            # Twice the length, plus one when the alias begins a word: at equal length
            # "페트병 뚜껑" is about 페트병, not the "병뚜껑" hiding across the space.
            (2 * len(alias) + (at in starts), at + len(alias), alias, self._long[alias])
            for alias, at in self._aliases_in(flat).items()
        ]
        # Best first; equal score: the later one, the head noun in Korean ("맥주병 박스"). No
        # two candidates tie on both: score and end fix the length, hence the substring.
        candidates.sort(key=lambda c: (c[0], c[1]), reverse=True)
        # What the text is about: not a modifier ("음식물 묻은 비닐"), not a part the person
        # removed ("라벨 뗐어"), not a remark in brackets ("페트병(라벨 제거)"). Removed parts
        # and brackets count only when the text names nothing else.
        # An alias that starts on the last syllable of one word and runs into the next was
        # not written as a name: "갈색 종이" holds "색종이", "라면 봉지" holds "면봉".
        across = [
            c
            for c in candidates
            if c[1] - len(c[2]) + 1 in starts and c[1] - len(c[2]) not in starts
        ]
        if len(across) < len(candidates):
            candidates = [c for c in candidates if c not in across]
        clause = _clauses(text)
        # A name before a word of place ("모니터 상자 안에 있던 폼", "키친타월 가운데 심지")
        # says where the item was, as does every name before it: the item comes after.
        # Only when the head noun comes after the place ("과자 상자 (안에 비닐 트레이는 뺌)" is
        # about the box).
        place = max(
            (
                c[1]
                for c in candidates
                if phrasing.PLACE.match(flat[c[1] :]) and head is not None and c[1] < head[0]
            ),
            default=-1,
        )
        plain = [
            c for c in candidates if not phrasing.MODIFIER.match(flat[c[1] :]) and c[1] > place
        ]
        kept = [
            c
            for c in plain
            if not phrasing.REMOVED.match(flat[c[1] :])
            and not phrasing.DESTINATION.match(flat[c[1] :])
            and not (c[2].endswith(phrasing.STICKER) and phrasing.FEE_STICKER.match(flat[c[1] :]))
            and not self._removed_in_clause(c, plain, flat, clause)
        ]
        # A stream asked about ("이거 투명페트야?") is not the thing, unless the rest names
        # only a kind of thing ("투명 병 이건 무색페트 맞아?": the stream says what it is).
        streams = [c for c in kept if self._asked_about(c, flat)]
        if any(c[2] not in phrasing.KIND_NAMES for c in kept if c not in streams):
            kept = [c for c in kept if c not in streams]
        # A name inside a name set aside is set aside with it: "생선뼈 발라낸 거" does not
        # name 생선.
        # The item a removed wrapping was on is not set aside with it: "귤 박스 테이프 뗌" took
        # the tape off the box ("박스 테이프" is itself a name), the box stays.
        dropped = [c for c in candidates if c not in kept]
        kept = [
            c
            for c in kept
            if not any(
                d[1] - len(d[2]) <= c[1] - len(c[2])
                and c[1] <= d[1]
                and len(d[2]) > len(c[2])
                and not (
                    d[1] - len(d[2]) == c[1] - len(c[2]) and d[2][len(c[2]) :] in self._accessories
                )
                # A longer name dropped as where things go ("택배박스 종이류로 내면" holds
                # "택배박스종이"): when the destination is a name of its own past this one,
                # this one stays.
                and not (
                    c[1] < d[1]
                    and any(
                        e[1] == d[1] and e[1] - len(e[2]) == c[1] and self._asked_about(e, flat)
                        for e in candidates
                    )
                )
                for d in dropped
            )
        ]
        heads = [c for c in kept if not all(bracketed[c[1] - len(c[2]) : c[1]])]

        def covers(c: tuple[int, int, str, LexiconEntry]) -> bool:
            return head is not None and c[1] - len(c[2]) < head[1] <= c[1]

        if head is not None and heads and not self._is_part(heads[0][3], flat[head[0] : head[1]]):
            # The head noun decides, unless it is a part of the item found ("페트병 뚜껑": the
            # cap of the bottle, which the part focus below handles).
            heads = [c for c in heads if covers(c)] + [c for c in heads if not covers(c)]
        best: tuple[int, int, str, LexiconEntry] | None = next(iter(heads), None)
        if best is not None and best[3].category == "food":
            # Korean puts the head last: a thing named right after a food is what held or
            # served it ("초밥 용기 씻었어", "사료 포대 털어서"), even where Kiwi reads the food
            # as the noun no verb follows.
            after = [c for c in heads if c[1] - len(c[2]) == best[1] and c[3].category != "food"]
            best = after[0] if after else best
        word = flat[head[0] : head[1]] if head is not None else None
        # "캔" right after a drink's name is the can it came in ("펩시 캔"): drink names mean
        # their usual bottle, and the can changes the stream. Other one-letter names ("병",
        # "컵") count as a word of their own when no longer name is what the text is about.
        # A size may sit between ("식용유 18l 캔", "맥주 500ml 캔").
        can = (
            best is not None
            and word == "캔"
            and head is not None
            and best[1] <= head[0]
            and _SIZE.fullmatch(flat[best[1] : head[0]]) is not None
        )
        # A one-letter name that is the head noun beats a food named before it: "포도주스 병"
        # is about the bottle, not the grapes it held. Other names keep their place: a drink
        # means its own bottle ("야쿠르트 빈 병"), leftover paint or pesticide decides ("니스
        # 남은 캔").
        bare = (
            best is not None
            and best[3].category == "food"
            and head is not None
            and not covers(best)
            and word in self._short_names
            and not self._is_part(best[3], word)
        )
        if best is None or can or bare:
            for pattern, alias, entry in self._short:
                if (best is None or alias == word) and pattern.search(text):
                    at = flat.rfind(alias)
                    heads = [c for c in heads if c[1] != at]  # the drink: not a rival
                    best = (1, at + 1, alias, entry)
                    break
        if best is None:
            # Nothing but asides: a removed thing is closer to the item than where it goes
            # ("생선뼈 발라낸 거 음쓰 아니져?" is about the bones, not 음쓰).
            staying = [c for c in plain if not phrasing.DESTINATION.match(flat[c[1] :])]
            best = next(iter(kept or staying or plain or candidates), None)
        if best is not None:
            alias, entry = best[2], best[3]
            span = range(best[1] - len(alias), best[1])
            rivals = tuple(
                c[3]
                for c in heads or kept
                if c[3].category != entry.category
                and c[3].name != entry.name
                and (c[1] <= span.start or c[1] - len(c[2]) >= span.stop)  # no overlap
                # Named as a word of its own: "면봉" hiding across "라면 봉지" is not named.
                and c[1] - len(c[2]) in starts
                # Food named right before a container is what it held ("고양이 사료 봉지",
                # "초밥 용기"), not another thing the text is about.
                and not (
                    c[3].category == "food" and c[1] == span.start and entry.category != "food"
                )
            )
            short = best[0] == 1
            return Match(
                entry=entry,
                alias=alias,
                focus=self._focus(entry, text, alias),
                coverage=min(1.0, len(alias) / max(1, len(flat))),
                rivals=rivals,
                removed=tuple(
                    c[3]
                    for c in plain
                    if phrasing.REMOVED.match(flat[c[1] :])
                    or self._removed_in_clause(c, plain, flat, clause)
                ),
                aside=not short and best not in heads and bool(candidates),
                covers_head=(
                    True
                    if short and head is not None and flat[head[0] : head[1]] == alias
                    else covers(best)
                    if head is not None and best in candidates
                    else None
                ),
            )
        repaired = self._spelling.match(flat)
        if repaired is None:
            return None
        entry, alias, score = repaired
        return Match(entry=entry, alias=alias, fuzzy=score, coverage=0.5)

    @staticmethod
    def _asked_about(c: tuple[int, int, str, LexiconEntry], flat: str) -> bool:
        """Whether ``c`` is named as where things go or what is asked about ("종이류로",
        "고철 아냐?"), not as a thing."""
        rest = flat[c[1] :]
        return phrasing.DESTINATION.match(rest) is not None or (
            c[2] in phrasing.STREAMS_ASKED_ABOUT
            and phrasing.STREAM_QUESTION.match(rest) is not None
        )

    def _removed_in_clause(
        self,
        c: tuple[int, int, str, LexiconEntry],
        others: list[tuple[int, int, str, LexiconEntry]],
        flat: str,
        clause: list[int],
    ) -> bool:
        """Whether ``c`` is a thing people take off ("테이프", "송장", "비닐"), named after
        another item and before a removal in the same clause: "택배상자 테이프 송장 제거",
        "박스 테이프랑 철핀 다 뜯음" are about the box."""
        start, end = c[1] - len(c[2]), c[1]
        # "박스테이프" ends in a thing taken off as much as "테이프" does.
        if end >= len(flat) or not any(c[2].endswith(a) for a in self._accessories):
            return False
        if not any(o[1] - len(o[2]) < start and o[2] not in self._accessories for o in others):
            return False
        rest = "".join(
            ch for ch, k in zip(flat[end:], clause[end:], strict=True) if k == clause[end]
        )
        return phrasing.REMOVAL_LATER.search(rest[:12]) is not None

    def _is_part(self, entry: LexiconEntry, word: str) -> bool:
        """Whether ``word`` (compact) names one of ``entry``'s parts."""
        return any(
            self._key(name) == word for part in entry.parts for name in (part.name, *part.aliases)
        )

    def _key(self, name: str) -> str:
        """A part name's compact normalised form, computed once: normalising is ~50 regex
        substitutions, and every match with a focus looks up all of its item's part names."""
        key = self._keys.get(name)
        if key is None:
            key = self._keys[name] = compact(self._normalise(name))
        return key

    def _aliases_in(self, flat: str) -> dict[str, int]:
        """Each alias (two letters or more) found in ``flat``, with where it last occurs."""
        found: dict[str, int] = {}
        for length in self._lengths:
            if length > len(flat):
                break
            for at in range(len(flat) - length, -1, -1):  # from the end: the last occurrence
                piece = flat[at : at + length]
                if piece in self._long and piece not in found:
                    found[piece] = at
        return found

    def _focus(self, entry: LexiconEntry, text: str, alias: str) -> PartSpec | None:
        """A separate part named after the item ("페트병 뚜껑"), unless it is said to be on it."""
        # A part named only in brackets is a remark about the item ("페트병(라벨 제거)").
        text = re.sub(r"\([^)]*\)?", " ", text)
        spaced = text.replace(" ", "")
        item_at = spaced.find(alias)
        bodies = [self._key(p.name) for p in entry.parts if p.category is None]
        for part in entry.parts:
            if part.category is None:
                continue
            for name in (part.name, *part.aliases):
                key = self._key(name)
                at = spaced.find(key, item_at + len(alias)) if item_at >= 0 else -1
                if at < 0:
                    continue
                # What follows the part: in the text as written, else in its compact form
                # ("택배상자테이프송장제거" names "테이프·송장" without its dot).
                rest = (
                    text[text.find(name) + len(name) :] if name in text else spaced[at + len(key) :]
                )
                clause = re.split(r"[,.!?]", rest, maxsplit=1)[0]
                if phrasing.ONLY.match(rest):
                    return part  # "뚜껑만 따로 모은 거", "펌프 부분만 뺀 거": only the part
                if (
                    phrasing.ATTACHED.match(rest)
                    or phrasing.REMOVAL_LATER.search(clause)
                    or phrasing.PEELED.search(clause)
                    or any(b and b in compact(rest) for b in bodies)
                ):
                    continue  # "라벨 붙은 채", "펌프 통": the whole item, not the part
                return part
        return None
