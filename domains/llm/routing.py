"""Which provider serves a model name, and the fallback chain that follows from it."""

from __future__ import annotations

import re

from domains.llm.settings import LLMSettings

from .exceptions import UnknownModel

OPENAI = "openai"
GEMINI = "gemini"
LOCAL = "local"
SIM = "sim"  # the simulated provider of the load benchmark (providers/sim.py)

_OPENAI_MODEL = re.compile(r"^(gpt-|chatgpt-|o\d)")
_GEMINI_MODEL = re.compile(r"^gemini-")


def provider_for(model: str) -> str:
    """``openai`` for gpt-*, chatgpt-*, o1/o3/o4…; ``gemini`` for gemini-*; ``local`` for local."""
    name = model.strip().lower()
    if name == LOCAL:
        return LOCAL
    if name == SIM or name.startswith(SIM + "-"):
        return SIM
    if _OPENAI_MODEL.match(name):
        return OPENAI
    if _GEMINI_MODEL.match(name):
        return GEMINI
    raise UnknownModel(
        f"unknown model {model!r}: use gpt-*, o1/o3/o4*, chatgpt-* (OpenAI), gemini-* (Gemini) "
        "local (offline) or sim/sim-* (simulated latency, for benchmarks)"
    )


def known_model(model: str) -> str:
    """A pydantic validator for a request's model name: the name when a provider serves it,
    else ValueError naming the ones we know (a 422 at submit, not a failed scan later)."""
    try:
        provider_for(model)
    except UnknownModel as exc:
        raise ValueError(str(exc)) from exc
    return model


def chain_for(model: str, llm: LLMSettings) -> list[tuple[str, str]]:
    """The (provider, model) steps tried in order for ``model``.

    OpenAI models: the Agents SDK, then the Responses API with the same model, then Gemini's
    fallback model when a Gemini key is set, then local. Gemini models: Gemini, then local.
    The local provider always ends the chain, so a request is answered even with no network.
    """
    family = provider_for(model)
    steps: list[tuple[str, str]] = []
    if family == OPENAI:
        steps += [("agents", model), ("responses", model)]
        if llm.gemini_api_key is not None:
            steps.append(("gemini", llm.gemini_fallback_model))
    elif family == GEMINI:
        steps.append(("gemini", model))
    elif family == SIM:
        steps.append((SIM, model))
    steps.append((LOCAL, LOCAL))
    return steps
