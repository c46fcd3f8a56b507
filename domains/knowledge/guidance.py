"""A grounded Korean guidance text for a classification, built only from the knowledge base.

The answer stage and the offline LLM provider quote this text; every sentence in it comes from a
data file, so what a person reads is what the knowledge base says, never an invention.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from domains.knowledge.josa import particle
from domains.knowledge.models import Classification

if TYPE_CHECKING:
    from domains.knowledge.classifier import Classifier


def guidance(classification: Classification, classifier: Classifier | None = None) -> str:
    """How to put the classified item out: stream, steps per part, where, mistakes, fees, prices."""
    # Imported here: the package imports this module with itself, and the classifier only
    # when first used (domains/knowledge/__init__.py).
    from domains.knowledge.classifier import default_classifier

    clf = classifier or default_classifier()
    kb = clf.kb
    if classification.category is None:
        return (
            "무엇인지 확실하지 않아 분류하지 않았어요. 품목 이름이나 재질(플라스틱, 유리, 종이, "
            "금속 등)과 상태(음식물이 묻었는지, 깨졌는지)를 알려 주시면 다시 안내할게요."
        )
    category = kb.categories[classification.category]
    entry = clf.lexicon.entry(classification.item.split(" ")[0]) if classification.item else None
    if entry is None and classification.item:
        entry = clf.lexicon.entry(classification.item)
    lines: list[str] = []
    item = classification.item
    label = f"'{item}'{particle(item, '은/는')} " if item else ""
    # The particle follows the stream's name, not the group in brackets after it.
    to = particle(category.name, "으로/로")
    lines.append(f"{label}{category.name}({category.group}){to} 배출해요. {category.summary}")
    if entry is not None:
        for condition in entry.conditions:
            if set(condition.tags) & set(classification.tags) and condition.note:
                lines.append(f"※ {condition.note}")
                break
        if entry.note:
            lines.append(f"※ {entry.note}")
    for tag in classification.tags:
        if kb.tags[tag].applies(classification.category):
            lines.append(f"· {kb.tags[tag].name}: {kb.tags[tag].effect}")
    if classification.parts:
        lines.append("부분별로 나눠서:")
        for part in classification.parts:
            stream = kb.categories[part.category].name
            steps = " ".join(part.steps) if part.steps else "그대로 배출해요."
            lines.append(f"  - {part.name} → {stream}: {steps}")
    lines.append("준비:")
    for step in category.preparation:
        lines.append(f"  - [{step.action}] {step.text}")
    lines.append("배출:")
    lines.extend(f"  - {line}" for line in category.disposal)
    if category.mistakes:
        lines.append("자주 하는 실수:")
        lines.extend(f"  - {line}" for line in category.mistakes[:3])
    if entry is not None and entry.fee:
        lines.append(f"수수료: {entry.fee}")
    prices = [p for p in kb.prices.items if p.category == category.key]
    if prices:
        shown = ", ".join(f"{p.name} {p.prices['nationwide']}{kb.prices.unit}" for p in prices[:4])
        lines.append(f"재활용품 시세(전국평균, {kb.prices.date}): {shown}")
    return "\n".join(lines)
