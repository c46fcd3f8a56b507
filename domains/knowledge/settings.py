"""What a process that classifies items reads of its environment (``ECO2_KNOWLEDGE__*``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class KnowledgeSettings(BaseModel):
    """The tokenizer the item classifier and retrieval share (one Kiwi per process)."""

    kiwi_typo_dict: bool = Field(
        True,
        description="Kiwi's typo dictionary (informal endings such as -나여 for -나요, a few "
        "common misspellings); off, Kiwi takes ~25 MB and ~0.3 s less to build and no item of "
        "the item sets classifies differently. On in the analysis service and so in the rule "
        "and chat pods, which must match it (a client whose choice differs builds its own Kiwi); "
        "chat's messages need it.",
    )
    analyser_url: str = Field(
        "",
        description="The analysis service (`eco2 analyser`) that tokenizes for this process, "
        "e.g. http://eco2-analyser:8010; empty, Kiwi is built in the process. Rule and chat pods "
        "set it (ECO2_KNOWLEDGE__ANALYSER_URL) so they start without Kiwi's ~230 MB and CPU "
        "second; "
        "unreachable, the process falls back to its own Kiwi with a warning.",
    )
    analyser_port: int = Field(
        8010, description="Where `eco2 analyser` listens when no --port is given."
    )
