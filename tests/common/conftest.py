from tests.supermarket.factories import *  # noqa: F401,F403 — shared factories
