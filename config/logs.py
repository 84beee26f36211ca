"""Structured logs: one JSON object per line on stdout (time, level, logger, message, request
id, and for each request the user id, method, path, status and duration). No personal data:
users by id, never query strings or bodies (they may hold a date of birth), never passwords."""

import logging
import time

logger = logging.getLogger("edc.request")


class RequestLogMiddleware:
    """One line per request, after the response, with the request id django-guid assigned
    (and echoed in the `X-Request-ID` response header)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
                "user": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        return response
