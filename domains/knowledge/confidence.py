"""How sure each kind of evidence is: the classifier's answer takes the confidence of the kind
of evidence it rests on (``domains.knowledge.evidence`` names the kinds)."""

from __future__ import annotations

THRESHOLD = 0.35  # below this the classifier does not name a category

# How sure each kind of evidence is. Each value is the share of right answers that kind of
# evidence had on the independent item set's dev half, measured before any lexicon entry was
# added for that half's misses and rounded down (a kind seen a few times only is set lower);
# docs/knowledge.md has the counts, and the reliability table on the test half, which was not
# used to set these. Strongest first.
CONFIDENCE: dict[str, float] = {
    "lexicon_clear": 0.97,  # the text's head noun is a known item, nothing else competes
    # A clear item, but the text also sets something aside or takes off something that is not
    # one of its usual parts ("분리된", "발라낸", "말고"): the thing acted on may be what is
    # meant. Measured on the retired halves with the project's sets (docs/knowledge.md);
    # kept under the 0.9 line, which it missed before it had its own kind.
    "lexicon_action": 0.85,
    "lexicon_material": 0.85,  # a known container, its stream set by the material named
    # A material word a few nouns before a head made in several materials ("갈색 유리 영양제
    # 병") decides over the item or description found: they disagree, so under the 0.9 line.
    "head_material": 0.8,
    # A clear item with food or grease on it, no word on whether it washes off ("기름 묻은
    # 비닐"): the rules say rinse it and recycle, or, if it stays dirty, general waste.
    "lexicon_soiled": 0.85,
    "fuzzy_close": 0.85,  # a typo-tolerant match sharing nine tenths of its letter pairs
    "lexicon_retrieval_differs": 0.8,  # a clear item, but the item lists propose another stream
    "lexicon_not_head": 0.8,  # the item found is not the text's head noun
    # A container named only by its kind ("초밥 용기", "밀가루 포대"): its usual material is a
    # guess, so it is answered but kept under the 0.9 line, like a name that is not the head.
    "lexicon_generic": 0.8,
    "lexicon_rivals": 0.7,
    # A hard part of a food (pit, bone, shell, husk) said apart from the food's name: the
    # rules are plain, but which part the words point at is read from the phrasing.
    "food_hard_part": 0.85,
    # A soft part of meat or fish described where no name was found ("닭 껍질 떼어낸 거").
    "food_soft_part": 0.8,
    # A drink named with the glass bottle or can it came in: the container's stream, under the
    # line (which of the two nouns is the thing is read from the phrasing).
    "drink_container": 0.8,
    # The thing named after what it held ("쿠키 들어있던 철로 된 통"): the words after say
    # what it is, as sure as they are alone, but never above the line.
    "held_in": 0.8,
    # Food left over from a meal, no other thing named: said plainly, but the food itself is
    # often a word the lexicon does not know.
    "leftover_food": 0.7,
    # A small part named after a bulky thing: which stream the part is, is a guess from its
    # kind or a metal word.
    "bulky_part": 0.7,
    # The learned reader's stream where it overruled an unsure rule answer (learned.py).
    "learned": 0.85,  # the text names items of other streams too
    "lexicon_aside": 0.65,  # the item is named only in brackets or as a removed part
    # No item named, but a gloss fits: how well (`evidence.gloss_evidence`). Values from the
    # share right of the best gloss on the dev halves' texts by fit and lead (docs/knowledge.md),
    # rounded down and kept under a name match: a description is vaguer than a name.
    "gloss_strong": 0.85,
    "gloss_fair": 0.8,
    "gloss_over_name": 0.7,  # a gloss holding the head noun overrides a name that is not it
    "gloss_weak": 0.5,
    "retrieval_strong": 0.5,  # no item, but the item lists know the words
    "retrieval_weak": 0.4,
    "fuzzy_far": 0.3,  # a loose typo match: usually another item
    "none": 0.0,
}
