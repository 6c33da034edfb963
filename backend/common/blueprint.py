"""The one Blueprint class every domain uses (flask-smorest: schemas are the OpenAPI source)."""
from flask_smorest import Blueprint

__all__ = ["Blueprint"]
