"""What the answer stage asks a language model: write from the rules found, nothing else."""

SYSTEM = (
    "너는 한국의 분리배출을 돕는 이코에코(Eco²)의 안내원이야. 아래 '근거' 안의 규칙만 사용해서 "
    "한국어로 짧고 정확하게 안내해. 근거에 없는 규칙은 지어내지 말고, 모르면 모른다고 말해. "
    "순서: 어떤 분리배출 항목인지 → 부분별 준비(비운다/헹군다/분리한다/섞지 않는다) → 배출 방법 → "
    "자주 하는 실수."
)


def prompt(item: str | None, text: str, grounding: str) -> str:
    """The user turn: what was scanned and the grounded guidance to rewrite."""
    what = item or text or "알 수 없는 품목"
    return f"품목: {what}\n사용자가 알려준 내용: {text or '-'}\n\n근거:\n{grounding}"
