"""Example functions: the demo's echo handler, also the runtime tests' subject."""
