"""Entry point for ``flask`` and gunicorn: ``gunicorn wsgi:app``."""
from backend import create_app

app = create_app()
