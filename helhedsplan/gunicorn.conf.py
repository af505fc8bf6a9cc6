"""gunicorn's settings for the production run (`make production`), from the environment.

gunicorn listens on the loopback address only; a TLS-terminating proxy in front of it forwards
the requests with X-Forwarded-Proto, which gunicorn trusts from 127.0.0.1 only (its default
forwarded_allow_ips), so that Django knows the request came over HTTPS.
"""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Pages are rendered by Python code that holds the GIL; processes, not threads, use the cores.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
# A status report for the board takes a few seconds to draw as PDF; allow for a slow one.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
# Workers are replaced now and then, so that memory held by a large PDF is given back.
max_requests = 1000
max_requests_jitter = 100
accesslog = "-"
errorlog = "-"
