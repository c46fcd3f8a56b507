"""Spelling repair for the lexicon: an alias found in a text's letters with one letter wrong, or
a text whose letter pairs mostly are an alias's, when no alias matched as written.

Korean is compared in loose jamo (``text.loose_jamo``), so a wrong letter inside a syllable
("소쥬병") or a syllable boundary moved by pronunciation ("헌오시" = 헌옷이) is one edit, not a
different word.
"""

from __future__ import annotations

from domains.knowledge.models import LexiconEntry
from domains.knowledge.text import bigrams, loose_jamo

# Share of an alias's letter pairs the text must hold for a loose match.
FUZZY_MIN = 0.8
# An alias of at least this many letters found with one letter wrong ("건잔지", "형괄등",
# "소쥬병"), or at least TYPO_EXACT letters spelt across a syllable boundary as pronounced.
TYPO_SUB = 7
TYPO_EXACT = 6
TYPO_LONGEST = 12  # letters: about four syllables; longer aliases are phrases, not misspelt words
FUZZY_MIN_GRAMS = 6  # shorter aliases match too much by accident ("스캔" ~ "스캐너")
# How sure a one-letter repair is (the lexicon's ``Match.fuzzy``).
TYPO_SCORE = 0.95

Repair = tuple[LexiconEntry, str, float]  # the entry, its alias, how close


class SpellingIndex:
    """The lexicon's aliases indexed by their letters, for the two repairs."""

    def __init__(
        self, aliases: list[tuple[str, LexiconEntry]], by_name: dict[str, LexiconEntry]
    ) -> None:
        self._fuzzy = [
            (grams, a, e)
            for a, e in aliases
            if len(grams := bigrams(loose_jamo(a))) >= FUZZY_MIN_GRAMS
        ]
        # Each alias's loose jamo, and the same with each letter in turn blanked; a key shared
        # by aliases of two streams is dropped (a repair must not pick a stream by chance).
        typo: dict[str, set[tuple[str, str]]] = {}
        for a, e in aliases:
            letters = loose_jamo(a)
            if not TYPO_EXACT <= len(letters) <= TYPO_LONGEST or a.isascii():
                continue
            typo.setdefault(letters, set()).add((a, e.name))
            if len(letters) >= TYPO_SUB:
                for i in range(len(letters)):
                    typo.setdefault(f"{letters[:i]}\0{letters[i + 1 :]}", set()).add((a, e.name))
        # Most keys belong to one alias: those skip the set of categories (~46,000 keys).
        self._typo: dict[str, tuple[str, LexiconEntry]] = {}
        for key, found in typo.items():
            if len(found) > 1 and len({by_name[n].category for _, n in found}) > 1:
                continue
            alias, name = min(found)
            self._typo[key] = (alias, by_name[name])
        self._typo_lengths = sorted({len(k) for k in self._typo}, reverse=True)

    def match(self, flat: str) -> Repair | None:
        """The repair of compact ``flat``: a one-letter one first, else a loose one; None."""
        return self._typo_match(flat) or self._fuzzy_match(flat)

    def _typo_match(self, flat: str) -> Repair | None:
        """The longest alias found in the text's letters with at most one letter wrong,
        starting where a syllable starts."""
        letters, starts = "", []
        for char in flat:
            starts.append(len(letters))
            letters += loose_jamo(char)
        for length in self._typo_lengths:
            for start in starts:
                window = letters[start : start + length]
                if len(window) < length:
                    break
                found = self._typo.get(window)
                keys = (f"{window[:i]}\0{window[i + 1 :]}" for i in range(length))
                if found is None and length >= TYPO_SUB:
                    found = next((self._typo[k] for k in keys if k in self._typo), None)
                if found is not None:
                    alias, entry = found
                    return entry, alias, TYPO_SCORE
        return None

    def _fuzzy_match(self, flat: str) -> Repair | None:
        grams = bigrams(loose_jamo(flat))
        best: tuple[float, str, LexiconEntry] | None = None
        for alias_grams, alias, entry in self._fuzzy:
            score = len(alias_grams & grams) / len(alias_grams)
            if score >= FUZZY_MIN and (best is None or score > best[0]):
                best = (score, alias, entry)
        if best is None:
            return None
        return best[2], best[1], best[0]
