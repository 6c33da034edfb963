"""The app exactly as production runs it, plus the baseline endpoints (``gunicorn bench.wsgi_bench:app``)."""
from backend import create_app

from .baseline import bp

app = create_app()
app.register_blueprint(bp)
