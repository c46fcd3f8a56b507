"""Read ``data/`` into a validated :class:`KnowledgeBase` (once per process).

Layout of the data directory::

    categories/<key>.yaml   one Category per file (all 18 required)
    tags.yaml               situation tags: cues, effect, category overrides
    prices.yaml             recyclable purchase prices
    synonyms.yaml           canonical word → variant spellings (페트 ← PET, 피이티 …)
    synonyms_en.yaml        canonical word → English words for it (노트북 ← laptop; optional)
    templates.yaml          shared parts and conditions (a PET bottle's bottle/label/cap …)
    lexicon/*.yaml          everyday items in groups sharing a category and a template
    glosses.yaml            short descriptions of items by use, look and material (optional)

Lexicon groups are written compactly (``"삼다수 | 제주삼다수"`` is an item with one alias);
they are expanded here into full :class:`LexiconEntry` objects, so the compact form is
validated exactly like a written-out one.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from domains.knowledge.exceptions import KnowledgeError
from domains.knowledge.models import (
    CATEGORY_KEYS,
    Category,
    KnowledgeBase,
    LexiconEntry,
    PriceTable,
    SituationTag,
)

DATA_DIR = Path(__file__).parent / "data"

# libyaml's loader where PyYAML was built with it (the wheels are): it reads the lexicon about ten
# times faster than the pure-Python one, with equal results, and the lexicon is read in every
# stage's start, so this is cold-start time.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Keys a lexicon group may set for all of its items.
_GROUP_DEFAULTS = ("category", "conditions", "parts", "fee", "note", "template")


def _read(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # nosec B506: a safe loader
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"{path.name}: cannot read: {exc}") from exc


def _expand_item(item: Any, group: dict[str, Any], templates: dict[str, Any]) -> dict[str, Any]:
    """One lexicon item (string or mapping) merged with its group's defaults and template."""
    if isinstance(item, str):
        names = [n.strip() for n in item.split("|") if n.strip()]
        entry: dict[str, Any] = {"name": names[0], "aliases": names[1:]}
    elif isinstance(item, dict):
        entry = dict(item)
    else:
        raise KnowledgeError(f"lexicon item must be a string or mapping, got {item!r}")
    for key in _GROUP_DEFAULTS:
        if key in group and key not in entry:
            entry[key] = group[key]
    template_name = entry.pop("template", None)
    if template_name is not None:
        template = templates.get(template_name)
        if template is None:
            raise KnowledgeError(f"{entry.get('name')}: unknown template {template_name!r}")
        entry.setdefault("parts", template.get("parts", []))
        # The item's own conditions are checked first; the template's are the general case.
        entry["conditions"] = list(entry.get("conditions", [])) + list(
            template.get("conditions", [])
        )
    return entry


def _load_lexicon(directory: Path, templates: dict[str, Any]) -> list[LexiconEntry]:
    entries: list[LexiconEntry] = []
    for path in sorted(directory.glob("*.yaml")):
        document = _read(path) or {}
        for group in document.get("groups", []):
            for item in group.get("items", []):
                raw = _expand_item(item, group, templates)
                try:
                    entries.append(LexiconEntry.model_validate(raw))
                except ValidationError as exc:
                    raise KnowledgeError(f"{path.name}: {raw.get('name')}: {exc}") from exc
    return entries


def _load_glosses(path: Path) -> list[dict[str, Any]]:
    """``glosses.yaml``: per category, lines "이름: 설명 | 설명" (one Gloss per 설명)."""
    if not path.exists():
        return []
    document = _read(path) or {}
    if not isinstance(document, dict):
        raise KnowledgeError(f"{path.name}: expected a mapping of category to lines")
    out: list[dict[str, Any]] = []
    for category, lines in document.items():
        for line in lines or []:
            # YAML reads "- 이름: 설명 | 설명" as a one-key mapping.
            if not (isinstance(line, dict) and len(line) == 1):
                where = f"{path.name}: {category}"
                raise KnowledgeError(f"{where}: expected '이름: 설명', got {line!r}")
            ((item, texts),) = line.items()
            for text in str(texts or "").split("|"):
                if text.strip():
                    name = str(item).strip()
                    out.append({"item": name, "category": category, "text": text.strip()})
    return out


def read_knowledge(data_dir: Path) -> KnowledgeBase:
    """Load and validate a data directory (no cache; tests point it at a temporary copy)."""
    categories: dict[str, Category] = {}
    for key in CATEGORY_KEYS:
        path = data_dir / "categories" / f"{key}.yaml"
        if not path.exists():
            raise KnowledgeError(f"category file missing: categories/{key}.yaml")
        try:
            categories[key] = Category.model_validate(_read(path))
        except ValidationError as exc:
            raise KnowledgeError(f"categories/{key}.yaml: {exc}") from exc
    templates = _read(data_dir / "templates.yaml") or {}
    try:
        tags = {
            t["key"]: SituationTag.model_validate(t) for t in _read(data_dir / "tags.yaml")["tags"]
        }
        prices = PriceTable.model_validate(_read(data_dir / "prices.yaml"))
        return KnowledgeBase(
            categories=categories,
            tags=tags,
            prices=prices,
            lexicon=_load_lexicon(data_dir / "lexicon", templates),
            synonyms=_synonyms(data_dir),
            glosses=_load_glosses(data_dir / "glosses.yaml"),
        )
    except ValidationError as exc:
        raise KnowledgeError(f"knowledge base invalid: {exc}") from exc


def _synonyms(data_dir: Path) -> dict[str, list[str]]:
    """synonyms.yaml with synonyms_en.yaml's English words added to the same canonical words.

    A variant listed twice, in one file or across the two, is refused: it would be replaced by
    whichever canonical word the normaliser happened to read last."""
    merged: dict[str, list[str]] = {}
    owner: dict[str, str] = {}
    for name in ("synonyms.yaml", "synonyms_en.yaml"):
        path = data_dir / name
        if name == "synonyms_en.yaml" and not path.exists():
            continue
        table = _read(path) or {}
        for canonical, variants in table.items():
            for variant in variants:
                key = str(variant).lower()
                if key in owner and owner[key] != canonical:
                    raise KnowledgeError(
                        f"{name}: {variant!r} is a variant of both {owner[key]!r} and {canonical!r}"
                    )
                owner[key] = canonical
            merged.setdefault(canonical, []).extend(variants)
    return merged


@lru_cache(maxsize=1)
def load_knowledge() -> KnowledgeBase:
    """The packaged knowledge base, loaded and validated once per process: the one the
    process's classifier holds, which comes from the built file when that is current."""
    from domains.knowledge.classifier import default_classifier  # it imports this module

    return default_classifier().kb
