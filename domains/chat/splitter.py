"""Split a chat message into its sub-questions by sentence and clause, with Kiwi.

No connective list decides whether to split: "이거 어디서 버려? 이코는 뭐 좋아해?" is two
sentences to Kiwi, and "냉장고버리는비용얼마에요이코그려줘" too. Inside a sentence a clause
boundary is a candidate: a conjunctive adverb (그리고, 근데, 또), a comma, a connective ending
``-고`` after a request or a verb ("알려주고", "버리고"), or ``-지랑`` ("어디 있는지랑 …").
Candidates inside a sentence are weak: ``classifier`` keeps such a split only when the two
clauses ask different things, or each asks its own question (a question word or a request), so
"유리병 씻고 뚜껑 닫아서 버려?" stays one question. A piece with no content ("ㅋㅋ") joins its
neighbour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from domains.knowledge.analyser import Tokens, analyser

# A question word or a request verb: a clause that has one asks something of its own.
_ASKS = re.compile(
    r"어떻|어떡|어케|어디|어딨|얼마|몇|뭐|무슨|무엇|언제|누구|왜|있어|돼\?|되나|나요"
)
_REQUEST_STEMS = frozenset({"주", "보이", "알리", "찾", "그리", "만들", "하"})
_CONTENT_TAGS = ("NN", "NP", "NR", "VV", "VA", "VX", "XR", "SL", "SN", "MAG", "IC", "VCP", "MM")
# Endings Kiwi tags as connective or particle that end a spoken question ("버려", "어디야"); a
# subordinate ending ("-면", "-는데", "-서") never ends one.
_FINALISH = frozenset({"어", "아", "야", "여", "지", "요", "니", "냐", "나", "셈", "음"})
_LAUGHTER = re.compile(r"^[ㅋㅎㅠㅜ~!?.,\s]*$")
# Thanks said at the end of a request with no punctuation ("폐지 시세 알려줘 고마워요"): a
# separate thing said, whatever the request before it.
_THANKS_TAIL = re.compile(
    r"\s+(고마워요?|고맙습니다|고맙다|감사합니다|감사해요|감사|땡큐|ㄳ|ㄱㅅ|thx|thanks)[\s.!~ㅎㅋ^]*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Piece:
    """One candidate sub-question: its text and whether it starts at a weak boundary."""

    text: str
    weak: bool = False


@lru_cache(maxsize=4096)
def morphemes(text: str) -> Tokens:
    """Kiwi's tokens of ``text`` (form, tag, start, len), from the knowledge base's analyser:
    one Kiwi holds about 300 MB of model, and both read the same configuration (the tokens
    the classifiers were tuned on).

    Cached: one message's pieces are read several times (cuts, content, ellipsis, features).
    """
    return analyser().tokenize(text)


@lru_cache(maxsize=1024)
def _sentences(text: str) -> tuple[str, ...]:
    # Cached like the tokens: with the analysis service each split is a round trip.
    return tuple(s.strip() for s in analyser().split_into_sents(text) if s.strip())


def has_content(text: str) -> bool:
    """Whether ``text`` says anything beyond laughter and punctuation."""
    if _LAUGHTER.match(text):
        return False
    return any(t.tag.startswith(_CONTENT_TAGS) for t in morphemes(text))


def asks(text: str) -> bool:
    """Whether a clause asks its own question: a question word, or a request verb."""
    if _ASKS.search(text.replace(" ", "")):
        return True
    tokens = morphemes(text)
    return any(t.tag in ("VX", "VV") and t.form in _REQUEST_STEMS for t in tokens) or any(
        t.tag == "SF" and t.form == "?" for t in tokens
    )


def bare_topic(text: str) -> bool:
    """A noun phrase said after a question ("깨진 머그컵"): no predicate, ending or question
    mark of its own; it names what the question before it is about."""
    tokens = [t for t in morphemes(text) if t.tag not in ("SP", "SS", "SE", "SO", "SW")]
    if not tokens or any(t.tag == "SF" and t.form == "?" for t in tokens):
        return False
    last = [t for t in tokens if t.tag != "SF"]
    if not last or not last[-1].tag.startswith("NN"):
        return False
    return not any(t.tag.startswith(("EF", "EC", "VCP", "XSV", "XSA")) for t in tokens)


def elliptical(text: str) -> bool:
    """A fragment that continues the previous question: no predicate, ends in 은/는 or -면
    ("구리는?", "이건?", "깨졌으면?")."""
    tokens = [t for t in morphemes(text) if t.tag not in ("SF", "SP", "SS", "SE", "SO", "SW")]
    if not tokens:
        return False
    last = tokens[-1]
    if last.tag == "JX" and last.form in ("은", "는", "ㄴ"):
        return not any(t.tag in ("EF",) for t in tokens)
    return last.tag == "EC" and last.form in ("면", "으면")


def _predicate_before(tokens: Tokens, n: int) -> bool:
    """Whether the clause ending at token ``n`` has a predicate or a question word of its own."""
    return any(t.tag.startswith(("VV", "VA", "VX", "VCP")) or t.tag == "NP" for t in tokens[:n])


def _clause_cuts(sentence: str) -> list[int]:
    """Character offsets inside ``sentence`` where a clause may start."""
    tokens = morphemes(sentence)
    cuts: list[int] = []
    for n, token in enumerate(tokens):
        if n == 0 or n == len(tokens) - 1:
            continue
        nxt = tokens[n + 1]
        if token.tag == "MAJ" and token.form in ("그리고", "근데", "그런데", "또", "그리구"):
            cuts.append(token.start)
        elif token.tag == "EF" and nxt.tag not in ("SF", "SP", "SE", "SS", "SO", "SW"):
            cuts.append(token.start + token.len)  # a sentence Kiwi did not cut ("…버려 수거함…")
        elif (
            token.tag == "SW"
            and _LAUGHTER.match(token.form)
            and any(t.tag.startswith(_CONTENT_TAGS) for t in tokens[:n])
        ):
            # Laughter between two clauses ("안녕ㅎㅎ 담배꽁초 어디다 버려?", "그려줘 ㅎㅎ
            # 사랑해"): where a written message would have its full stop.
            cuts.append(token.start + token.len)
        elif (
            (token.tag == "EF" or (token.tag in ("EC", "JX") and token.form in _FINALISH))
            # MM: Kiwi reads "이코는" as 이/MM 코/NNG.
            and nxt.tag.startswith(("NN", "NP", "XPN", "MM"))
            and nxt.start > token.start + token.len
            and _predicate_before(tokens, n)
        ):
            cuts.append(nxt.start)  # colloquial: "어케버려 수거함어딨어", "어디야 의류수거함은"
        elif token.tag == "SP" and token.form == ",":
            cuts.append(token.start + token.len)
        elif token.tag == "JC" and token.form == "고" and tokens[n - 1].form == "얼마":
            cuts.append(token.start + token.len)  # "비용 얼마고 고철 시세는": Kiwi's 고/JC
        elif token.tag == "EC" and token.form == "고":
            before = tokens[n - 1]
            # "알려주고", "버리고"; and "어디고", "얼마고" (a question word with the copula)
            asked = (
                before.tag == "VCP"
                and n >= 2
                and (tokens[n - 2].tag == "NP" or tokens[n - 2].form == "얼마")
            )
            verb = before.tag in ("VV", "VX", "VV-R", "VV-I") or asked
            if verb and nxt.tag not in ("VX", "SF"):
                cuts.append(token.start + token.len)
        elif token.tag == "JC" and token.form in ("랑", "이랑", "하고"):
            clause = [t for t in tokens[:n] if t.start >= (cuts[-1] if cuts else 0)]
            content = [t for t in clause if t.tag.startswith(("NN", "VV", "VA", "EC", "ETM"))]
            # "냉장고 버리는 비용이랑 고철 시세", "어디 있는지랑 …": a phrase, not one noun
            # ("페트병이랑 캔 어떻게 버려?" stays one question).
            if len(content) >= 2:
                cuts.append(token.start + token.len)
    return sorted(set(cuts))


def squeeze_letters(text: str) -> str:
    return re.sub(r"[^0-9a-zA-Z가-힣ㄱ-ㅎㅏ-ㅣ]+", "", text)


def _ends_a_sentence(text: str) -> bool:
    """Whether ``text`` ends in a final ending ("알려줘", "버려요"), not a connective one
    ("알려줘서 고마워" thanks for the telling; it is one thing said)."""
    tokens = [t for t in morphemes(text.strip(" ,")) if not t.tag.startswith("S")]
    if not tokens:
        return False
    last = tokens[-1]
    return last.tag == "EF" or (last.tag == "EC" and last.form in _FINALISH)


def split(text: str) -> list[Piece]:
    """The candidate sub-questions of ``text``, in order; at least one (the whole text)."""
    text = text.strip()
    pieces: list[Piece] = []
    for sentence in _sentences(text) or [text]:
        start, weak = 0, False
        for cut in _clause_cuts(sentence):
            chunk = sentence[start:cut].strip(" ,")
            if chunk:
                pieces.append(Piece(chunk, weak))
                start, weak = cut, True
        rest = sentence[start:].strip(" ,")
        thanks = _THANKS_TAIL.search(rest)
        if thanks and _ends_a_sentence(rest[: thanks.start()]):
            pieces.append(Piece(rest[: thanks.start()].strip(" ,"), weak))
            rest, weak = rest[thanks.start() :].strip(), False
        if rest:
            pieces.append(Piece(rest, weak))
    merged: list[Piece] = []
    for piece in pieces:
        tiny = not has_content(piece.text) or len(piece.text.strip(" ?!.~")) <= 2
        tiny = tiny and not _THANKS_TAIL.match(f" {piece.text}")
        # "아 그리고 …": an interjection of one letter is not a thing said on its own.
        lone = merged and len(squeeze_letters(merged[-1].text)) <= 1
        if merged and (tiny or lone or not has_content(merged[-1].text)):
            last = merged.pop()
            merged.append(Piece(f"{last.text} {piece.text}", last.weak))
        else:
            merged.append(piece)
    return merged or [Piece(text)]
