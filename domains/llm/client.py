"""``ResilientLLM``: the port's implementation the application uses.

It reads the LLM settings at every call (so ``settings.llm.model`` can be switched at run time,
and ``request.model`` overrides it per request), walks the fallback chain of ``routing``, and
guards each provider with a timeout, retries with backoff that honour ``Retry-After``, and a
circuit breaker. Tokens, outcomes, latency and breaker states go to Prometheus (``metrics``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from functools import partial
from typing import Any, TypeVar, cast

from pydantic import BaseModel

from .breaker import CircuitBreaker
from .exceptions import (
    CircuitOpen,
    FallbackExhausted,
    LLMError,
    LLMTimeout,
    ProviderUnavailable,
    UnsupportedRequest,
)
from .metrics import CALLS, LATENCY, outcome_of, record_usage
from .port import Completion, LLMClient, LLMRequest, Usage
from .providers.base import Provider
from .routing import chain_for
from .settings import LLMSettings

log = logging.getLogger(__name__)
_DEFAULTS = LLMSettings()  # offline: model local, no keys

R = TypeVar("R")
T = TypeVar("T", bound=BaseModel)
# A callable is read at every call, so a changed model applies from the next request.
SettingsSource = LLMSettings | Callable[[], LLMSettings] | None


class ResilientLLM(LLMClient):
    """One object per process (per event loop: the SDK clients' sessions belong to it)."""

    def __init__(
        self,
        settings: SettingsSource = None,
        *,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self._source = settings
        self._sleep = sleep
        self._providers: dict[tuple[Any, ...], Provider] = {}
        self._breakers: dict[str, CircuitBreaker] = {}

    # -- configuration, read at call time -----------------------------------------------------

    def settings(self) -> LLMSettings:
        source = self._source
        if source is None:
            return _DEFAULTS
        if isinstance(source, LLMSettings):
            return source
        return source()

    def breaker(self, name: str) -> CircuitBreaker:
        llm = self.settings()
        breaker = self._breakers.get(name)
        if breaker is None:
            breaker = CircuitBreaker(name, llm.breaker_failures, llm.breaker_reset_s)
            self._breakers[name] = breaker
        breaker.failures, breaker.reset_s = llm.breaker_failures, llm.breaker_reset_s
        return breaker

    def _provider(self, name: str, llm: LLMSettings) -> Provider:
        """The provider for ``name`` with the current keys; rebuilt when they change. SDKs are
        imported here, so loading the port costs nothing when only ``local`` is used."""
        openai_key = llm.openai_api_key.get_secret_value() if llm.openai_api_key else None
        gemini_key = llm.gemini_api_key.get_secret_value() if llm.gemini_api_key else None
        if name in ("agents", "responses"):
            key: tuple[Any, ...] = (name, openai_key, llm.openai_base_url, llm.timeout_s)
        elif name == "gemini":
            key = (name, gemini_key, llm.gemini_base_url, llm.timeout_s)
        elif name == "sim":
            from .providers.sim import SimProfile

            key = (name, SimProfile.of(llm))
        else:
            key = (name,)
        provider = self._providers.get(key)
        if provider is not None:
            return provider
        if name in ("agents", "responses"):
            from .providers.openai_common import build_client

            client = build_client(openai_key, llm.openai_base_url, llm.timeout_s)
            if name == "agents":
                from .providers.agents import AgentsProvider

                provider = AgentsProvider(client)
            else:
                from .providers.responses import ResponsesProvider

                provider = ResponsesProvider(client)
        elif name == "gemini":
            from .providers import gemini

            provider = gemini.GeminiProvider(
                gemini.build_client(gemini_key, llm.gemini_base_url, llm.timeout_s)
            )
        elif name == "sim":
            from .providers.sim import SimProvider

            provider = SimProvider(key[1])
        else:
            from .providers.local import LocalProvider

            provider = LocalProvider()
        self._providers[key] = provider
        return provider

    def prepare(self, model: str | None = None) -> list[str]:
        """Build now the providers ``model``'s chain (default: the configured model's) would
        call, and so import their SDKs: a function calls this in ``start()`` so that its first
        event after a cold start does not pay for that import (~2 CPU s for the OpenAI SDKs).
        Providers without their key are skipped. The names built, in chain order."""
        llm = self.settings()
        built: list[str] = []
        for name, _ in chain_for(model or llm.model, llm):
            try:
                self._provider(name, llm)
            except ProviderUnavailable:
                continue
            built.append(name)
        return built

    async def aclose(self) -> None:
        providers, self._providers = list(self._providers.values()), {}
        for provider in providers:
            await provider.aclose()

    # -- one provider: breaker, timeout, retries -----------------------------------------------

    def _admit(self, name: str) -> CircuitBreaker:
        breaker = self.breaker(name)
        try:
            breaker.before_call()
        except CircuitOpen as err:
            CALLS.labels(provider=name, outcome=outcome_of(err)).inc()
            raise
        return breaker

    def _failed(self, name: str, breaker: CircuitBreaker, err: LLMError) -> None:
        # A request the provider cannot serve by design says nothing about its health.
        if isinstance(err, UnsupportedRequest):
            breaker.release()
        else:
            breaker.failure()
        CALLS.labels(provider=name, outcome=outcome_of(err)).inc()

    def _retry_wait(self, name: str, err: LLMError, attempt: int, llm: LLMSettings) -> float | None:
        """Seconds to wait before the next attempt, or None to give up on this provider."""
        if not err.retryable or attempt >= llm.max_retries:
            return None
        wait = err.retry_after
        if wait is None:
            wait = llm.backoff_initial_s * (2**attempt)
        if wait > llm.backoff_max_s:
            log.warning("LLM %s: asked to wait %.1fs, longer than we wait; giving up", name, wait)
            return None
        log.info("LLM %s: %s; retry %d in %.2fs", name, err, attempt + 1, wait)
        return wait

    async def _call(self, name: str, call: Callable[[], Awaitable[R]]) -> R:
        llm = self.settings()
        attempt = 0
        while True:
            breaker = self._admit(name)
            started = time.monotonic()
            try:
                async with asyncio.timeout(llm.timeout_s):
                    result = await call()
            except (LLMError, TimeoutError) as exc:
                err = exc if isinstance(exc, LLMError) else LLMTimeout(f"{name}: timed out")
                self._failed(name, breaker, err)
                wait = self._retry_wait(name, err, attempt, llm)
                if wait is None:
                    if err is exc:
                        raise
                    raise err from exc
                await self._sleep(wait)
                attempt += 1
                continue
            except BaseException:
                breaker.release()  # cancelled by our caller: no verdict on the provider
                raise
            breaker.success()
            CALLS.labels(provider=name, outcome="ok").inc()
            LATENCY.labels(provider=name).observe(time.monotonic() - started)
            return result

    async def _stream_once(
        self, name: str, provider: Provider, request: LLMRequest, model: str
    ) -> AsyncIterator[str]:
        """One provider's stream with retries; a failure after the first delta is final."""
        llm = self.settings()
        attempt = 0
        while True:
            breaker = self._admit(name)
            started, sent, usage = time.monotonic(), False, Usage()
            # Every provider's ``stream`` is an async generator, which has ``aclose``.
            deltas = cast("AsyncGenerator[str, None]", provider.stream(request, model, usage))
            try:
                while True:
                    try:
                        # The timeout bounds the wait for each delta, not the whole answer.
                        async with asyncio.timeout(llm.timeout_s):
                            delta = await anext(deltas)
                    except StopAsyncIteration:
                        break
                    sent = True
                    yield delta
            except (LLMError, TimeoutError) as exc:
                err = exc if isinstance(exc, LLMError) else LLMTimeout(f"{name}: stream stalled")
                self._failed(name, breaker, err)
                wait = None if sent else self._retry_wait(name, err, attempt, llm)
                if wait is None:
                    if err is exc:
                        raise
                    raise err from exc
                await self._sleep(wait)
                attempt += 1
                continue
            except BaseException:
                breaker.release()
                raise
            finally:
                await deltas.aclose()
            breaker.success()
            CALLS.labels(provider=name, outcome="ok").inc()
            LATENCY.labels(provider=name).observe(time.monotonic() - started)
            record_usage(name, usage.input_tokens, usage.output_tokens)
            return

    # -- the chain -------------------------------------------------------------------------------

    def _steps(self, request: LLMRequest) -> list[tuple[str, str]]:
        llm = self.settings()
        return chain_for(request.model or llm.model, llm)

    def _get(self, name: str) -> Provider:
        try:
            return self._provider(name, self.settings())
        except ProviderUnavailable:
            log.info("LLM %s: not configured, skipping", name)
            raise

    @staticmethod
    def _give_up(attempts: list[tuple[str, LLMError]]) -> LLMError:
        return attempts[0][1] if len(attempts) == 1 else FallbackExhausted(attempts)

    async def generate(self, request: LLMRequest) -> Completion:
        attempts: list[tuple[str, LLMError]] = []
        for name, model in self._steps(request):
            try:
                provider = self._get(name)
                completion = await self._call(name, partial(provider.generate, request, model))
            except LLMError as err:
                attempts.append((name, err))
                log.warning("LLM %s failed: %s; falling back", name, err)
                continue
            record_usage(name, completion.usage.input_tokens, completion.usage.output_tokens)
            completion.attempted = [failed for failed, _ in attempts]
            return completion
        raise self._give_up(attempts)

    async def structured(self, request: LLMRequest, schema: type[T]) -> T:
        attempts: list[tuple[str, LLMError]] = []
        for name, model in self._steps(request):
            try:
                provider = self._get(name)
                result = await self._call(
                    name, partial(provider.structured, request, model, schema)
                )
            except LLMError as err:
                attempts.append((name, err))
                log.warning("LLM %s failed on %s: %s; falling back", name, schema.__name__, err)
                continue
            record_usage(name, result.usage.input_tokens, result.usage.output_tokens)
            return result.value
        raise self._give_up(attempts)

    async def stream(self, request: LLMRequest) -> AsyncIterator[str]:
        attempts: list[tuple[str, LLMError]] = []
        for name, model in self._steps(request):
            sent = False
            try:
                provider = self._get(name)
                async for delta in self._stream_once(name, provider, request, model):
                    sent = True
                    yield delta
            except LLMError as err:
                if sent:  # the caller has part of an answer: switching now would garble it
                    raise
                attempts.append((name, err))
                log.warning(
                    "LLM %s stream failed before its first token: %s; falling back", name, err
                )
                continue
            return
        raise self._give_up(attempts)
