"""Load a function from a source file, the way functions-framework and knative/func do.

A function is a module-level callable named by ``target`` (``handle`` by default) plus, found by
name in the same module, the optional lifecycle hooks of knative/func's Python template:
``start(settings)``, ``stop()`` and ``ready() -> bool``. Every error names the file AND the
target, so a misconfigured deployment says which of the two is wrong.

``handle``, ``start`` and ``stop`` may be ``async def`` (as in knative/func's template): a
function that waits on the network (a model, a database) then runs on the trigger's own event
loop, with no thread hand-off per event. A plain ``def`` handler runs in a thread, which is what
CPU-bound work (OCR, retrieval) needs to keep the loop responsive.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from cloudevents.http import CloudEvent

from eventing.exceptions import HandlerLoadError

Handler = Callable[[CloudEvent], CloudEvent | Awaitable[CloudEvent | None] | None]


@dataclass(frozen=True)
class Function:
    """A loaded function: the handler and whichever hooks its module defines."""

    handle: Handler
    source: str
    target: str = "handle"
    start: Callable[[Any], Awaitable[None] | None] | None = None
    stop: Callable[[], Awaitable[None] | None] | None = None
    ready: Callable[[], bool] | None = None

    @property
    def is_async(self) -> bool:
        """True for an ``async def`` handler: triggers await it on their loop."""
        return is_async(self.handle)

    @property
    def name(self) -> str:
        """``file.py:target``, how logs and errors name this function."""
        return f"{Path(self.source).name}:{self.target}"

    def is_ready(self) -> bool:
        """The module's ``ready()`` if it has one; a function without it is always ready."""
        return True if self.ready is None else bool(self.ready())


def is_async(hook: Callable[..., Any] | None) -> bool:
    """Whether ``hook`` (seen through decorators that keep ``__wrapped__``) is ``async def``."""
    return hook is not None and inspect.iscoroutinefunction(inspect.unwrap(hook))


def load_function(source: str | Path, target: str = "handle") -> Function:
    """Import ``source`` and return its ``target`` with the hooks found beside it."""
    path = Path(source).resolve()
    if not path.is_file():
        raise HandlerLoadError(f"cannot load target {target!r}: file {path} does not exist")
    # A name unique per path: two functions both called main.py must not share sys.modules.
    digest = hashlib.blake2b(str(path).encode(), digest_size=4).hexdigest()
    module_name = f"eco2_function_{path.stem}_{digest}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise HandlerLoadError(f"cannot load target {target!r}: {path} is not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(module_name, None)
        raise HandlerLoadError(
            f"cannot load target {target!r}: importing {path} failed: {type(exc).__name__}: {exc}"
        ) from exc
    return function_from_module(module, path, target)


def function_from_module(module: ModuleType, source: str | Path, target: str) -> Function:
    """Build a ``Function`` from an already imported module (functions-framework loads its own)."""
    handle = getattr(module, target, None)
    if handle is None:
        found = sorted(
            name
            for name, value in vars(module).items()
            if callable(value)
            and not name.startswith("_")
            and getattr(value, "__module__", None) == module.__name__  # its own, not imports
        )
        raise HandlerLoadError(
            f"file {source} has no target {target!r}; callables found: {', '.join(found) or 'none'}"
        )
    if not callable(handle):
        raise HandlerLoadError(
            f"target {target!r} in file {source} is not callable: it is a {type(handle).__name__}"
        )
    return Function(
        handle=handle,
        source=str(source),
        target=target,
        start=_hook(module, "start", source),
        stop=_hook(module, "stop", source),
        ready=_hook(module, "ready", source),
    )


def _hook(module: ModuleType, name: str, source: str | Path) -> Any:
    hook = getattr(module, name, None)
    if hook is not None and not callable(hook):
        raise HandlerLoadError(f"hook {name!r} in file {source} is not callable")
    return hook
