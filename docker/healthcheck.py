"""Container health check of the web service: GET /health/ on the local gunicorn.

The Host header is the first of ALLOWED_HOSTS, so Django accepts the request.
/health/ answers 200 while the database answers (also when the broker is down:
the site still serves), 503 otherwise.
"""

import http.client
import os
import sys

host = next((h.strip().lstrip(".") for h in os.environ.get("ALLOWED_HOSTS", "").split(",")
             if h.strip() and h.strip() != "*"), "localhost")
connection = http.client.HTTPConnection("127.0.0.1", int(os.environ.get("PORT", "8000")), timeout=5)
try:
    connection.request("GET", "/health/", headers={"Host": host, "X-Forwarded-Proto": "https"})
    status = connection.getresponse().status
except OSError as exc:
    sys.exit(f"unhealthy: {exc}")
sys.exit(0 if status == 200 else f"unhealthy: /health/ answered {status}")
