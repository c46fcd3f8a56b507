"""The knowledge base (18 disposal categories, situation tags, prices, item lexicon) and the
rule classifier built on it.

Public API::

    classify(text) -> Classification          # category, confidence, choices, parts, rules, tags
    classify_as(text, category) -> Classification  # the person's choice decides
    search_rules(question, k=3) -> list[RuleHit]
    guidance(classification) -> str          # grounded Korean guidance
    load_knowledge() -> KnowledgeBase        # validated data, cached

The models and the guidance are imported with the package; the classifier (numpy, BM25, Kiwi's
bindings) and the loader (YAML) when first used: the scan events name a category through
``domains.knowledge.models``, so every stage imports this package, and vision and reward never
classify (eventing.lazy). ``guidance`` stays eager because a submodule has its name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from domains.knowledge.exceptions import KnowledgeError
from domains.knowledge.guidance import guidance
from domains.knowledge.models import (
    CATEGORY_KEYS,
    Classification,
    KnowledgeBase,
    Part,
    RuleHit,
    RuleRef,
)
from eventing.lazy import exports

if TYPE_CHECKING:
    from domains.knowledge.classifier import ASK_BELOW, THRESHOLD, Classifier, default_classifier
    from domains.knowledge.loader import load_knowledge, read_knowledge


def classify(text: str, *, glosses: bool = True) -> Classification:
    """Classify an item description (or what vision read) with the packaged knowledge base.
    ``glosses=False``: names only, no placing by description (what a feature that asks "does
    the text name an item?" wants)."""
    from domains.knowledge.classifier import default_classifier

    return default_classifier().classify(text, glosses=glosses)


def classify_as(text: str, category: str) -> Classification:
    """``text`` with the category the person chose (``KnowledgeError`` for an unknown key)."""
    from domains.knowledge.classifier import default_classifier

    return default_classifier().classify_as(text, category)


def category_name(key: str) -> str:
    """The Korean name of a category key (``KeyError`` for an unknown key)."""
    from domains.knowledge.classifier import default_classifier

    return default_classifier().kb.categories[key].name  # type: ignore[index]  # a KB key


def search_rules(question: str, k: int = 3) -> list[RuleHit]:
    """The ``k`` rules that best answer a disposal question, best first."""
    from domains.knowledge.classifier import default_classifier

    clf = default_classifier()
    item = clf.classify(question)
    boost: dict[str, float] = {}
    if item.method in ("lexicon", "fuzzy") and item.category is not None:
        # The item's own stream first (a question about 사이다병 is about clear PET's rules even
        # when the situation moves it), then the stream the situation moves it to.
        entry = clf.lexicon.entry(item.item.split(" ")[0]) if item.item else None
        base = entry.category if entry is not None else item.category
        boost[item.category] = 0.2
        boost[base] = 0.35
    return clf.index.search(question, k=k, boost=boost)


__all__ = [
    "ASK_BELOW",
    "CATEGORY_KEYS",
    "THRESHOLD",
    "Classification",
    "Classifier",
    "KnowledgeBase",
    "KnowledgeError",
    "Part",
    "RuleHit",
    "RuleRef",
    "category_name",
    "classify",
    "classify_as",
    "default_classifier",
    "guidance",
    "load_knowledge",
    "read_knowledge",
    "search_rules",
]
__getattr__, __dir__ = exports(
    __name__,
    {
        "ASK_BELOW": "classifier",
        "THRESHOLD": "classifier",
        "Classifier": "classifier",
        "default_classifier": "classifier",
        "load_knowledge": "loader",
        "read_knowledge": "loader",
    },
)
