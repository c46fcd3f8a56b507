"""Load a function the way knative/func does: a module's factory builds an instance.

A function module exposes a factory (``new`` by default, or a class) whose instance holds the
function's dependencies and has ``handle(event)``, plus, when it needs them, the lifecycle
methods of knative/func's Python template: ``start()`` (open clients, load models), ``stop()``,
``alive()`` and ``ready()``. The module keeps no state of its own: whoever serves the function
(a queue worker, the HTTP trigger, the embedded default, a test) calls the factory with the
settings or the in-memory dependencies it wants, and gets an instance of its own.

``handle``, ``start`` and ``stop`` may be ``async def``: a function that waits on the network (a
model, a database) then runs on the trigger's own event loop, with no thread hand-off per event.
A plain ``def`` handler runs in a thread, which is what CPU-bound work (OCR) needs to keep the
loop responsive. Every error names the file and the factory, so a misconfigured deployment says
which of the two is wrong.
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
Hook = Callable[[], Awaitable[None] | None]
Probe = Callable[[], bool]
FACTORY = "new"


@dataclass(frozen=True)
class Function:
    """A built function: its handler and whichever lifecycle methods its instance has."""

    handle: Handler
    source: str
    target: str = FACTORY
    start: Hook | None = None
    stop: Hook | None = None
    ready: Probe | None = None
    alive: Probe | None = None

    @classmethod
    def of(cls, instance: Any, source: str | Path, target: str = FACTORY) -> Function:
        """The function an instance is: ``handle`` and the optional lifecycle methods."""
        handle = getattr(instance, "handle", None)
        if not callable(handle):
            raise HandlerLoadError(
                f"{target!r} in file {source} built a {type(instance).__name__} with no handle()"
            )
        hooks = {
            name: getattr(instance, name, None) for name in ("start", "stop", "ready", "alive")
        }
        for name, hook in hooks.items():
            if hook is not None and not callable(hook):
                raise HandlerLoadError(f"{name!r} of {type(instance).__name__} is not callable")
        return cls(handle=handle, source=str(source), target=target, **hooks)

    @property
    def is_async(self) -> bool:
        """True for an ``async def`` handler: triggers await it on their loop."""
        return is_async(self.handle)

    @property
    def name(self) -> str:
        """``file.py:factory``, how logs and errors name this function."""
        return f"{Path(self.source).name}:{self.target}"

    @property
    def service(self) -> str:
        """The function's folder (``functions/vision/main.py`` → ``vision``): the name Knative
        gives its service, and its spans' (eventing.tracing)."""
        return Path(self.source).parent.name or self.name

    def is_ready(self) -> bool:
        """The instance's ``ready()`` if it has one; a function without it is always ready."""
        return True if self.ready is None else bool(self.ready())

    def is_alive(self) -> bool:
        """The instance's ``alive()`` if it has one; a function without it is alive."""
        return True if self.alive is None else bool(self.alive())


def is_async(hook: Callable[..., Any] | None) -> bool:
    """Whether ``hook`` (seen through decorators that keep ``__wrapped__``) is ``async def``."""
    return hook is not None and inspect.iscoroutinefunction(inspect.unwrap(hook))


def import_source(source: str | Path) -> ModuleType:
    """Import the module at ``source`` under a name unique to its path."""
    path = Path(source).resolve()
    if not path.is_file():
        raise HandlerLoadError(f"cannot load {path}: the file does not exist")
    # A name unique per path: two functions both called main.py must not share sys.modules.
    digest = hashlib.blake2b(str(path).encode(), digest_size=4).hexdigest()
    module_name = f"eco2_function_{path.stem}_{digest}"
    if (loaded := sys.modules.get(module_name)) is not None:
        return loaded
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise HandlerLoadError(f"cannot load {path}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(module_name, None)
        raise HandlerLoadError(
            f"cannot load {path}: importing it failed: {type(exc).__name__}: {exc}"
        ) from exc
    return module


def load_factory(source: str | Path, target: str = FACTORY) -> Callable[..., Any]:
    """The factory ``target`` of the module at ``source``."""
    module = import_source(source)
    factory = getattr(module, target, None)
    if factory is None:
        found = sorted(
            name
            for name, value in vars(module).items()
            if callable(value)
            and not name.startswith("_")
            and getattr(value, "__module__", None) == module.__name__  # its own, not imports
        )
        listed = ", ".join(found) or "none"
        raise HandlerLoadError(
            f"file {source} has no factory {target!r}; callables found: {listed}"
        )
    if not callable(factory):
        raise HandlerLoadError(
            f"factory {target!r} in file {source} is not callable: it is a {type(factory).__name__}"
        )
    return factory


def load_function(source: str | Path, *args: Any, target: str = FACTORY, **kwargs: Any) -> Function:
    """Build the function at ``source``: its factory called with ``args`` and ``kwargs``."""
    factory = load_factory(source, target)
    try:
        instance = factory(*args, **kwargs)
    except HandlerLoadError:
        raise
    except Exception as exc:
        raise HandlerLoadError(
            f"factory {target!r} in file {source} failed: {type(exc).__name__}: {exc}"
        ) from exc
    return Function.of(instance, source, target)
