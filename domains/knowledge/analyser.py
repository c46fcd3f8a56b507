"""The morphological analyser every Korean text goes through (Kiwi), behind one small port.

Two implementations answer it with the same :class:`Token` values:

- :class:`KiwiAnalyser`, Kiwi in this process (the default): ~230 MB of language model and
  about a CPU second to build and warm, which is most of a chat pod's cold start.
- :class:`RemoteAnalyser`, the analysis service (``eco2 analyser``,
  ``domains.knowledge.analyser_service``) over HTTP: one long-lived process owns the model and
  the functions that scale to zero start without it. When the service cannot be reached it
  retries briefly, then builds Kiwi here (a warning in the log): slower and larger, but every
  turn is still answered.

Callers read four attributes of a token (``form``, ``tag``, ``start``, ``len``: the same
names kiwipiepy's tokens have) and the sentence texts of a split, nothing else, so which
implementation ran never shows downstream. ``configure_analyser`` picks one per process
(``KnowledgeSettings.analyser_url``); ``analyser()`` is the one in use.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from domains.knowledge.exceptions import KnowledgeError

if TYPE_CHECKING:
    import httpx
    from kiwipiepy import Kiwi

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Token:
    """One morpheme: its form, its part-of-speech tag (Sejong, as Kiwi writes it, "VV-R"
    included), and where it lies in the analysed text (character offset and length)."""

    form: str
    tag: str
    start: int
    len: int


Tokens = tuple[Token, ...]


class Analyser(Protocol):
    """What the knowledge base and the chat splitter ask of a morphological analyser."""

    def tokenize(self, text: str) -> Tokens: ...

    def tokenize_many(self, texts: Sequence[str]) -> list[Tokens]: ...

    def split_into_sents(self, text: str) -> list[str]: ...


# ----- in-process Kiwi --------------------------------------------------------------------------

_kiwi_lock = threading.Lock()
# Whether this process's Kiwi loads its typo dictionary (configure_kiwi; KnowledgeSettings).
_typo_dict = True


def configure_kiwi(*, typo_dict: bool) -> None:
    """Choose, before it is built, whether this process's Kiwi loads its typo dictionary.

    One Kiwi serves every caller of a process, so a choice that differs from the Kiwi already
    built is refused rather than leaving two callers with different tokens."""
    global _typo_dict
    with _kiwi_lock:
        if kiwi.cache_info().currsize and typo_dict != _typo_dict:
            raise KnowledgeError(
                f"Kiwi is built already with its typo dictionary {'on' if _typo_dict else 'off'}"
            )
        _typo_dict = typo_dict


def typo_dict() -> bool:
    """This process's choice of Kiwi's typo dictionary (what a remote analyser must match)."""
    return _typo_dict


def user_nouns() -> list[str]:
    """The words this code adds to Kiwi's dictionary: a service running other code (a rolling
    update half done) would tokenize differently, so a client compares them too."""
    return list(_USER_NOUNS)


@lru_cache(maxsize=1)
def kiwi() -> Kiwi:
    """One Kiwi per process: building it takes a second or more.

    Without the multi-word dictionary (WikiData's proper nouns of several words) and the default
    one (proper nouns from Wikipedia and Namuwiki): they are a large share of Kiwi's memory and
    build time, a cold start's largest cost in rule and chat. No item or chat message of the
    project's sets tokenizes differently without the first; a few brand names do without the
    second (처음처럼, 비닐봉투 as one proper noun), with the same item and intent figures on the
    dev sets (bench/RESULTS.md, "Cold start"). The typo dictionary is the process's choice
    (``configure_kiwi``): its variants of informal endings cost ~25 MB; the item sets classify
    the same without it, chat messages ending in -나여 do not tokenize the same."""
    from kiwipiepy import Kiwi  # imported here: a process with a remote analyser never needs it

    with _kiwi_lock:
        built = Kiwi(load_multi_dict=False, load_default_dict=False, load_typo_dict=_typo_dict)
        for word in _USER_NOUNS:
            built.add_user_word(word, "NNG")
        return built


# Nouns Kiwi's own dictionary lacks and reads as a verb: "키친타월 가운데 심지" came out as
# 심/VV 지/EF, leaving the text with no head noun. ("심지어" still reads as the adverb.)
_USER_NOUNS = ("심지",)


class KiwiAnalyser:
    """Kiwi in this process, built on first use; calls are one at a time (Kiwi's analyser is
    not documented thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def tokenize(self, text: str) -> Tokens:
        model = kiwi()
        with self._lock:
            found = model.tokenize(text)
        return tuple(Token(t.form, t.tag, t.start, t.len) for t in found)

    def tokenize_many(self, texts: Sequence[str]) -> list[Tokens]:
        return [self.tokenize(text) for text in texts]

    def split_into_sents(self, text: str) -> list[str]:
        model = kiwi()
        with self._lock:
            return [s.text for s in model.split_into_sents(text)]


# ----- the analysis service's client ------------------------------------------------------------

# Loopback or in-cluster: a connection either opens at once or the service is not there.
CONNECT_TIMEOUT_S = 0.5
# One text takes Kiwi about a millisecond; a batch's budget grows with its size (800 glosses:
# ~0.6 s of analysis), and a service still building its model answers once it has.
READ_TIMEOUT_S = 5.0
READ_TIMEOUT_PER_TEXT_S = 0.01
# Retries on a refused connection, a timeout or a 5xx, then the in-process fallback: ~0.5 s in
# all when nothing listens, so a first turn is late by that, never hung.
RETRY_DELAYS_S = (0.1, 0.3)
# The service's limits (analyser_service), checked here too so a long text never costs a round
# trip that can only fail: the client sends a longer batch in parts.
MAX_TEXTS = 1000


class _QuietRequests(logging.Filter):
    """Drops httpx's INFO line per request to the analysis service: a chat turn makes a dozen,
    and they would bury the turn's own log. Failures still show (ours, at WARNING)."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        return not (len(args) > 1 and str(args[1]).startswith(self.url))


_quiet: set[str] = set()


class RemoteUnavailable(KnowledgeError):
    """The analysis service did not answer usably after the retries."""


class RemoteAnalyser:
    """The analysis service over HTTP (keep-alive, short timeouts, batches in one request).

    On failure after the retries, and when the service's Kiwi is not configured as this
    process's would be (its typo dictionary), this process falls back to its own Kiwi for good:
    switching back and forth would not return the model's memory, and every answer stays the
    one in-process Kiwi gives."""

    def __init__(self, url: str, *, expect_typo_dict: bool = True) -> None:
        import httpx

        self.url = url.rstrip("/")
        self.expect_typo_dict = expect_typo_dict
        self._client = httpx.Client(
            base_url=self.url,
            timeout=httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
            limits=httpx.Limits(max_connections=8, max_keepalive_connections=4),
            headers={"user-agent": "eco2-analyser-client"},
        )
        if self.url not in _quiet:
            _quiet.add(self.url)
            logging.getLogger("httpx").addFilter(_QuietRequests(self.url))
        self._fallback: KiwiAnalyser | None = None
        self._switch = threading.Lock()
        self._checked = False

    @property
    def fell_back(self) -> bool:
        return self._fallback is not None

    def close(self) -> None:
        self._client.close()

    def _post(self, path: str, texts: Sequence[str]) -> httpx.Response:
        import httpx

        timeout = httpx.Timeout(
            READ_TIMEOUT_S + READ_TIMEOUT_PER_TEXT_S * len(texts), connect=CONNECT_TIMEOUT_S
        )
        last: str = ""
        for delay in (*RETRY_DELAYS_S, None):
            try:
                response = self._client.post(path, json={"texts": list(texts)}, timeout=timeout)
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code < 500:
                    return response
                last = f"HTTP {response.status_code}"
            if delay is None:
                break
            time.sleep(delay)
        raise RemoteUnavailable(f"{self.url}{path}: {last}")

    def _call(self, path: str, texts: Sequence[str], key: str) -> list[list[object]] | None:
        """The service's answer for ``texts`` (``key`` of its JSON), or None once fallen back."""
        if self._fallback is not None:
            return None
        try:
            response = self._post(path, texts)
            if response.status_code != 200:
                raise RemoteUnavailable(
                    f"{self.url}{path}: HTTP {response.status_code} {response.text[:200]}"
                )
            body = response.json()
            if not self._checked:
                if body.get("typo_dict") != self.expect_typo_dict:
                    raise RemoteUnavailable(
                        f"{self.url}: its Kiwi has the typo dictionary "
                        f"{'on' if body.get('typo_dict') else 'off'}, this process's would not"
                    )
                if body.get("user_nouns") != user_nouns():
                    raise RemoteUnavailable(
                        f"{self.url}: its Kiwi adds the nouns {body.get('user_nouns')}, "
                        f"this process's {user_nouns()}"
                    )
                self._checked = True
            results = body[key]
            if len(results) != len(texts):
                raise RemoteUnavailable(f"{self.url}{path}: {len(results)} results")
            return list(results)
        except (RemoteUnavailable, ValueError, KeyError, TypeError) as exc:
            self._fall_back(str(exc))
            return None

    def _fall_back(self, why: str) -> None:
        with self._switch:
            if self._fallback is None:
                log.warning(
                    "analysis service unusable (%s); building Kiwi in this process instead "
                    "(slower start, ~230 MB more)",
                    why,
                )
                self._fallback = KiwiAnalyser()

    def tokenize(self, text: str) -> Tokens:
        return self.tokenize_many([text])[0]

    def tokenize_many(self, texts: Sequence[str]) -> list[Tokens]:
        out: list[Tokens] = []  # nothing to send for no texts (the service refuses an empty batch)
        for at in range(0, len(texts), MAX_TEXTS):
            part = texts[at : at + MAX_TEXTS]
            results = self._call("/v1/tokenize", part, "tokens")
            if results is None:
                assert self._fallback is not None
                return out + self._fallback.tokenize_many(texts[at:])
            out += [tuple(Token(*t) for t in found) for found in results]  # type: ignore[misc]
        return out

    def split_into_sents(self, text: str) -> list[str]:
        results = self._call("/v1/sentences", [text], "sentences")
        if results is None:
            assert self._fallback is not None
            return self._fallback.split_into_sents(text)
        return [str(s) for s in results[0]]


# ----- the process's choice ---------------------------------------------------------------------

_current: Analyser | None = None
_choice = threading.Lock()


def configure_analyser(url: str = "") -> Analyser:
    """Use the analysis service at ``url`` (empty: Kiwi in this process) from now on.

    Called by a process's start, before anything is analysed (chat's and rule's ``start``); a
    remote analyser expects the service's Kiwi to be built as this process's would be
    (``configure_kiwi``). The same service asked for again keeps the client in use: a process
    hosting chat and rule configures it twice, and closing the first client under a turn in
    flight would make that turn fall back to building Kiwi here."""
    global _current
    with _choice:
        previous = _current
        if (
            url
            and isinstance(previous, RemoteAnalyser)
            and previous.url == url.rstrip("/")
            and previous.expect_typo_dict == _typo_dict
            and not previous.fell_back
        ):
            return previous
        _current = RemoteAnalyser(url, expect_typo_dict=_typo_dict) if url else KiwiAnalyser()
        if isinstance(previous, RemoteAnalyser):
            previous.close()
        return _current


def analyser() -> Analyser:
    """The analyser this process uses: in-process Kiwi unless ``configure_analyser`` said."""
    global _current
    if _current is None:
        with _choice:
            if _current is None:
                _current = KiwiAnalyser()
    return _current
