"""Imports every domain's models so the metadata (and Alembic) sees every table."""
import importlib

from .app import DOMAINS
from .common import idempotency  # noqa: F401

for _name in DOMAINS:
    try:
        importlib.import_module(f"backend.{_name}.models")
    except ModuleNotFoundError as error:
        if error.name != f"backend.{_name}.models":
            raise
