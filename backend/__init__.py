"""Chengxin (诚信): the district credit centre's API and kiosk."""
from .app import create_app

__all__ = ["create_app"]
