"""Loading a function from a file: its factory builds an instance whose methods are the
function; errors name the file and the factory."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventing.exceptions import HandlerLoadError
from eventing.runtime.loader import load_function

WITH_HOOKS = """
class Function:
    def __init__(self, greeting):
        self.greeting = greeting
        self.started = False
    def handle(self, event):
        return self.greeting
    def start(self):
        self.started = True
    def stop(self):
        self.started = False
    def ready(self):
        return self.started
    def alive(self):
        return True

def new(greeting="hi"):
    return Function(greeting)
"""


def write(tmp_path: Path, code: str, name: str = "main.py") -> Path:
    path = tmp_path / name
    path.write_text(code)
    return path


def test_the_factory_builds_an_instance_with_its_hooks(tmp_path: Path) -> None:
    source = write(tmp_path, WITH_HOOKS)
    fn = load_function(source, "안녕")
    assert fn.handle(object()) == "안녕"
    assert fn.name == "main.py:new"
    assert fn.is_ready() is False and fn.is_alive() is True
    assert fn.start is not None
    fn.start()
    assert fn.is_ready() is True


def test_each_build_is_its_own_instance(tmp_path: Path) -> None:
    source = write(tmp_path, WITH_HOOKS)
    a, b = load_function(source, "a"), load_function(source, greeting="b")
    assert a.start is not None
    a.start()
    assert (a.handle(None), b.handle(None)) == ("a", "b")
    assert a.is_ready() and not b.is_ready()  # no state shared through the module


def test_an_instance_without_hooks_is_ready(tmp_path: Path) -> None:
    code = "class F:\n    def handle(self, event):\n        return event\n"
    fn = load_function(write(tmp_path, code), target="F")
    assert (fn.start, fn.stop, fn.ready, fn.alive) == (None, None, None, None)
    assert fn.is_ready() is True and fn.is_alive() is True


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(HandlerLoadError, match=r"nope\.py: the file does not exist"):
        load_function(tmp_path / "nope.py")


def test_import_error_names_file_and_cause(tmp_path: Path) -> None:
    source = write(tmp_path, "import no_such_module_eco2\n")
    with pytest.raises(HandlerLoadError) as info:
        load_function(source)
    message = str(info.value)
    assert str(source) in message
    assert "ModuleNotFoundError" in message and "no_such_module_eco2" in message


def test_missing_factory_lists_what_exists(tmp_path: Path) -> None:
    source = write(tmp_path, "def handle(event):\n    return None\n")
    with pytest.raises(HandlerLoadError) as info:
        load_function(source)
    assert str(info.value) == f"file {source} has no factory 'new'; callables found: handle"


def test_factory_not_callable(tmp_path: Path) -> None:
    source = write(tmp_path, "new = 42\n")
    with pytest.raises(HandlerLoadError, match=r"factory 'new' in file .*main\.py.*int"):
        load_function(source)


def test_an_instance_without_handle_is_refused(tmp_path: Path) -> None:
    source = write(tmp_path, "def new():\n    return object()\n")
    with pytest.raises(HandlerLoadError, match="with no handle"):
        load_function(source)


def test_a_failing_factory_names_the_file_and_cause(tmp_path: Path) -> None:
    source = write(tmp_path, "def new():\n    raise RuntimeError('no key')\n")
    with pytest.raises(HandlerLoadError, match=r"factory 'new' in file .* RuntimeError: no key"):
        load_function(source)


def test_two_main_py_files_do_not_collide(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = load_function(write(tmp_path / "a", WITH_HOOKS), "a")
    code_b = (
        "class B:\n    def handle(self, e):\n        return 'b'\n\ndef new():\n    return B()\n"
    )
    b = load_function(write(tmp_path / "b", code_b))
    assert (a.handle(None), b.handle(None)) == ("a", "b")
