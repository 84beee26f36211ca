"""Error pages: API clients get JSON, people get Django's HTML page."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.views import defaults

API_PREFIX = "/api/"


def not_found(request, exception):
    """404 for a URL that matches no route, e.g. `/api/v1/subjects/1.5/`: under /api/ the
    same body DRF gives for a missing record, so clients parse one error format."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception):
    """400 raised outside a DRF view (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many
    fields): JSON under /api/ like every other API error."""
    if request.path.startswith(API_PREFIX):
        if isinstance(exception, RequestDataTooBig):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            detail = f"The request body is too large: at most {limit:,} bytes are accepted."
        else:
            detail = "Bad request: the request could not be read."
        return JsonResponse({"detail": detail}, status=400)
    return defaults.bad_request(request, exception)


def server_error(request):
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Server error: the request was not completed."}, status=500)
    return defaults.server_error(request)
