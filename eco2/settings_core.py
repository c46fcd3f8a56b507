"""The flat part of Eco²'s settings, where each group's model lives, and the settings of one
function process composed from only the groups its factory reads.

``eco2.settings.Settings`` composes every package's settings model, and importing those models
imports their packages (the LLM clients' metrics, the image store, OAuth providers, tracing,
Pillow with the vision package). A function pod reads a few of them: its factory's settings
parameter is typed with what it reads (a ``Protocol`` of properties, a settings model, or
``object`` for none), so ``eco2 function serve-http`` builds a root class of the same
``ECO2_*`` variables holding only those groups, and imports no other package's model.
"""

from __future__ import annotations

import builtins
import importlib
import inspect
import sys
from collections.abc import Callable, Iterable
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field, create_model

from domains.db_settings import DatabaseSettings
from eventing.settings import BusSettings, EnvSettings

# Each nested group of ``Settings`` → "module:class" of its model, imported only when a process
# composes that group. tests/eco2/test_settings_core.py checks this against ``Settings``.
GROUPS: dict[str, str] = {
    "runtime": "eventing.runtime.settings:RuntimeSettings",
    "progress": "eventing.settings:ProgressSettings",
    "router": "eventing.router.settings:RouterSettings",
    "gateway": "eventing.gateway.settings:GatewaySettings",
    "pipeline": "domains.scan.settings:PipelineSettings",
    "llm": "domains.llm.settings:LLMSettings",
    "vision": "domains.vision.settings:VisionSettings",
    "chat": "domains.chat.settings:ChatSettings",
    "location": "domains.location.settings:LocationSettings",
    "tracing": "eventing.tracing:TracingSettings",
    "auth": "domains.auth.settings:AuthSettings",
    "image": "domains.image.settings:ImageSettings",
    "oauth": "domains.auth.providers:OAuthSettings",
    "knowledge": "domains.knowledge.settings:KnowledgeSettings",
}


class CoreSettings(EnvSettings, BusSettings, DatabaseSettings):
    """The flat settings every Eco² process may read: the servers and the log level."""

    # Read by every process the eco2 command starts.
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Level of every process's log; DEBUG adds a line per event handled."
    )


def group_model(name: str) -> type[BaseModel]:
    """The settings model of the group ``name`` (its module imported now)."""
    module, _, attribute = GROUPS[name].partition(":")
    model: type[BaseModel] = getattr(importlib.import_module(module), attribute)
    return model


def settings_for(names: Iterable[str]) -> CoreSettings:
    """Settings read from the environment like ``Settings()``, holding the flat fields and only
    the groups in ``names`` (flat field names among them are ignored: they are always there)."""
    groups = sorted(set(names) & GROUPS.keys())
    fields: dict[str, Any] = {}
    for name in groups:
        model = group_model(name)
        fields[name] = (model, model())  # the same default as Settings' own field
    root = create_model("FunctionSettings", __base__=CoreSettings, **fields)
    return root()


def _resolve(annotation: object, owner: Callable[..., Any]) -> object:
    """A parameter's annotation as an object; a string (postponed annotations) is looked up as
    a plain name in the factory's module, anything more complex gives ``None``."""
    if not isinstance(annotation, str):
        return annotation
    annotation = annotation.removesuffix(" | None")  # an optional parameter: its type
    if not annotation.isidentifier():
        return None
    module = sys.modules.get(getattr(owner, "__module__", "") or "")
    namespace = vars(module) if module is not None else {}
    if annotation in namespace:
        return namespace[annotation]
    return getattr(builtins, annotation, None)


def _members(kind: type) -> set[str]:
    """The public attributes a Protocol declares (properties and annotated names)."""
    names: set[str] = set()
    for cls in kind.__mro__:
        if cls in (object, Protocol) or cls.__module__ == "typing":
            continue
        names |= set(vars(cls).get("__annotations__", {}))
        names |= {name for name, value in vars(cls).items() if isinstance(value, property)}
    return {name for name in names if not name.startswith("_")}


def reads(factory: Callable[..., Any]) -> set[str] | None:
    """What a function factory reads of the settings, from its first parameter's type: a
    Protocol's members, a model's fields, nothing for ``object``; ``None`` when it cannot tell
    (no parameter annotation, or a type of another kind), and then a process composes them all.
    """
    try:
        parameters = list(inspect.signature(factory).parameters.values())
    except (TypeError, ValueError):
        return None
    if not parameters:
        return set()
    kind = _resolve(parameters[0].annotation, factory)
    if kind is object:
        return set()
    if not isinstance(kind, type):
        return None
    if issubclass(kind, BaseModel):
        return set(kind.model_fields)
    if getattr(kind, "_is_protocol", False):
        return _members(kind)
    return None


def known(names: Iterable[str]) -> bool:
    """Whether every name is a flat field or a group ``settings_for`` can compose."""
    return set(names) <= set(CoreSettings.model_fields) | GROUPS.keys()
