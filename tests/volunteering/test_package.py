"""The package's layout as the tests rely on it."""
import importlib
import pkgutil

import backend.volunteering
from tests.volunteering.conftest import CLOCKED


def test_the_test_clock_reaches_every_module_that_reads_the_time():
    """A module that calls ``utcnow`` but is missing from ``CLOCKED`` would see the real time in tests."""
    reading = set()
    for info in pkgutil.iter_modules(backend.volunteering.__path__):
        module = importlib.import_module(f"backend.volunteering.{info.name}")
        if info.name != "models" and hasattr(module, "utcnow"):  # models: column defaults, never patched
            reading.add(module.__name__)
    assert reading == {module.__name__ for module in CLOCKED}
