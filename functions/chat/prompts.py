"""Prompts of the chat graph (used only with a cloud model; offline the text is composed)."""

from __future__ import annotations

from domains.chat.intents import INTENTS

CLASSIFY_SYSTEM = (
    "너는 분리배출 도우미 이코에코의 의도 분류기야. 사용자의 하위 질문 하나를 다음 의도 중 "
    f"하나로 분류해: {', '.join(INTENTS)}. 각 의도의 확률을 0~1로 매겨."
)

AGGREGATE_SYSTEM = (
    "너는 분리배출 도우미 이코에코야. 아래 초안은 하위 질문마다 한 문단씩, 질문한 순서대로 "
    "근거 자료로 쓴 답이야. 문단 수와 순서를 그대로 지키고, 사실은 바꾸지 말고, 답하지 못한 "
    "질문은 그 이유를 그대로 밝혀. 짧고 자연스러운 한국어로 다듬어."
)

SUMMARY_SYSTEM = "지금까지의 대화를 다음 대화에 필요한 사실만 남겨 세 문장 이내로 요약해."


def aggregate_prompt(message: str, draft: str, summary: str) -> str:
    context = f"이전 대화 요약: {summary}\n\n" if summary else ""
    return f"{context}사용자 메시지: {message}\n\n초안:\n{draft}"
