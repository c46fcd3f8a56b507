"""Loading a function from a file: hooks found by name, errors that name file and target."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventing.exceptions import HandlerLoadError
from eventing.runtime.loader import load_function


def write(tmp_path: Path, code: str, name: str = "main.py") -> Path:
    path = tmp_path / name
    path.write_text(code)
    return path


def test_loads_handle_and_hooks(tmp_path: Path) -> None:
    source = write(
        tmp_path,
        "started = []\n"
        "def handle(event):\n    return None\n"
        "def start(settings):\n    started.append(settings)\n"
        "def stop():\n    pass\n"
        "def ready():\n    return bool(started)\n",
    )
    fn = load_function(source)
    assert fn.handle(object()) is None
    assert fn.name == "main.py:handle"
    assert fn.is_ready() is False
    fn.start("s")
    assert fn.is_ready() is True
    assert fn.stop is not None


def test_function_without_hooks_is_ready(tmp_path: Path) -> None:
    fn = load_function(write(tmp_path, "def run(event):\n    return event\n"), target="run")
    assert (fn.start, fn.stop, fn.ready) == (None, None, None)
    assert fn.is_ready() is True


def test_missing_file_names_file_and_target(tmp_path: Path) -> None:
    with pytest.raises(HandlerLoadError, match=r"'handle'.*nope\.py does not exist"):
        load_function(tmp_path / "nope.py")


def test_import_error_names_file_target_and_cause(tmp_path: Path) -> None:
    source = write(tmp_path, "import no_such_module_eco2\n")
    with pytest.raises(HandlerLoadError) as info:
        load_function(source)
    message = str(info.value)
    assert "'handle'" in message and str(source) in message
    assert "ModuleNotFoundError" in message and "no_such_module_eco2" in message


def test_missing_target_lists_what_exists(tmp_path: Path) -> None:
    source = write(tmp_path, "def handler(event):\n    return None\n")
    with pytest.raises(HandlerLoadError) as info:
        load_function(source)
    assert str(info.value) == f"file {source} has no target 'handle'; callables found: handler"


def test_target_not_callable(tmp_path: Path) -> None:
    source = write(tmp_path, "handle = 42\n")
    with pytest.raises(HandlerLoadError, match=r"target 'handle' in file .*main\.py.*int"):
        load_function(source)


def test_two_main_py_files_do_not_collide(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = load_function(write(tmp_path / "a", "def handle(e):\n    return 'a'\n"))
    b = load_function(write(tmp_path / "b", "def handle(e):\n    return 'b'\n"))
    assert (a.handle(None), b.handle(None)) == ("a", "b")
