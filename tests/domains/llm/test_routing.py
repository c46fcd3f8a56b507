"""Model name → provider, and the fallback chain built from it."""

from __future__ import annotations

import pytest

from domains.llm import UnknownModel, chain_for, provider_for
from domains.llm.settings import LLMSettings


@pytest.mark.parametrize(
    ("model", "provider"),
    [
        ("gpt-4.1-mini", "openai"),
        ("gpt-5", "openai"),
        ("o3-mini", "openai"),
        ("o4-mini", "openai"),
        ("o1", "openai"),
        ("chatgpt-4o-latest", "openai"),
        ("gemini-2.5-flash", "gemini"),
        ("Gemini-2.0-Pro", "gemini"),
        ("local", "local"),
    ],
)
def test_provider_is_inferred_from_the_model_name(model, provider):
    assert provider_for(model) == provider


@pytest.mark.parametrize("model", ["claude-3-opus", "omni", "llama3", ""])
def test_unknown_models_are_refused_clearly(model):
    with pytest.raises(UnknownModel, match="gpt-"):
        provider_for(model)


def test_openai_chain_adds_gemini_only_with_a_key():
    bare = LLMSettings()
    assert chain_for("gpt-4.1", bare) == [
        ("agents", "gpt-4.1"),
        ("responses", "gpt-4.1"),
        ("local", "local"),
    ]
    keyed = LLMSettings(gemini_api_key="g", gemini_fallback_model="gemini-2.0-flash")
    assert chain_for("gpt-4.1", keyed) == [
        ("agents", "gpt-4.1"),
        ("responses", "gpt-4.1"),
        ("gemini", "gemini-2.0-flash"),
        ("local", "local"),
    ]


def test_gemini_and_local_chains():
    assert chain_for("gemini-2.5-pro", LLMSettings()) == [
        ("gemini", "gemini-2.5-pro"),
        ("local", "local"),
    ]
    assert chain_for("local", LLMSettings()) == [("local", "local")]
