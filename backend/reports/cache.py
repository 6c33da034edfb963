"""A district report's answer, kept for ``REPORT_CACHE_SECONDS`` per process.

A report sums roll-ups plus the live tail past their watermark: tens of milliseconds at 800,000
residents, and the console's charts ask for several at once. Every viewer with the same scope asking
the same question within the window gets the same JSON, without computing or dumping it again; the
answer says how old it is (``Age``, seconds). Nothing is shared between processes, so there is nothing
to invalidate: a report is at most that many seconds behind the records it counts. ``0`` turns it off
(the test suite does, except where it checks the cache itself).

The answer is kept encoded, and gzipped once when it is kept: a client that accepts gzip (every browser
and WebView does) gets the compressed bytes. A whole district's villages and backlog reports list every
village (1,420 in the 800,000-resident benchmark: ~450 KB of JSON, ~50 KB gzipped), so sending the
plain answer, not computing it, had become what such a request cost.
"""
import gzip
import time
from functools import wraps

from flask import current_app, request

from ..common.auth import current_principal

#: (report, district, scope, query) -> (monotonic time, JSON body, the body gzipped)
_answers = {}
_MAX_ANSWERS = 512


def _scope(principal):
    return tuple(sorted((role, None if ids is None else tuple(sorted(ids))) for role, ids in principal.roles.items()))


def cached_report(schema):
    """Under ``@bp.response(200, schema)``: answer from the cache, or compute, dump with ``schema`` and keep."""
    dumper = schema()

    def decorator(view):
        @wraps(view)
        def wrapper(args, *more, **kwargs):
            seconds = current_app.config["REPORT_CACHE_SECONDS"]
            if not seconds:
                return view(args, *more, **kwargs)
            principal = current_principal()
            key = (view.__name__, principal.district_id, _scope(principal), more, tuple(sorted(kwargs.items())),
                   tuple(sorted((name, str(value)) for name, value in args.items())))
            now = time.monotonic()
            hit = _answers.get(key)
            if hit is None or now - hit[0] >= seconds:
                body = current_app.json.dumps(dumper.dump(view(args, *more, **kwargs))).encode()
                if len(_answers) >= _MAX_ANSWERS:
                    _answers.clear()  # bounded; the next requests compute their reports again
                hit = _answers[key] = (now, body, gzip.compress(body, compresslevel=6, mtime=0))
            gzipped = request.accept_encodings["gzip"] > 0
            response = current_app.response_class(hit[2] if gzipped else hit[1], mimetype="application/json")
            if gzipped:
                response.headers["Content-Encoding"] = "gzip"
            response.vary.add("Accept-Encoding")
            response.headers["Age"] = str(int(now - hit[0]))
            return response

        return wrapper

    return decorator
