"""The third sample's renderer: ``../independent/render_independent.py`` run with this sample's
seeds (generation 20261207, split 20261208) and no re-rolled image, writing here.

The renderer's author never read the reader under test (see ../independent/README.md); this
sample only draws new marks from it, so its code is reused rather than copied, and a fix there
cannot leave the two samples rendering differently by accident.

    python render_independent.py   # re-render and check the frozen test half (see README.md)
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location(
    "render_independent_first", HERE.parent / "independent" / "render_independent.py"
)
assert _spec is not None and _spec.loader is not None
renderer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(renderer)
# The renderer reads these module globals when it runs, so setting them here is enough.
renderer.SEED = 20261207
renderer.SPLIT_SEED = 20261208
renderer.REROLL = {}  # no human review of this sample, so no re-rolled image
renderer.OUT = HERE
renderer.IMG_DIR = HERE / "images"

if __name__ == "__main__":
    renderer.main()
