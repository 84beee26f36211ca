"""Requests refused before any view sees them."""

from django.http import HttpResponseBadRequest, JsonResponse

from config.views import API_PREFIX

NUL_MESSAGE = "Text may not contain NUL characters (\\u0000)."


class RefuseNulQueryMiddleware:
    """A NUL character in a query parameter (`?user=a%00b`) reached PostgreSQL, which refuses
    it in text: a 500. It is a 400 naming the parameter, JSON under /api/, for every view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                name = name.replace("\x00", "")
                if request.path.startswith(API_PREFIX):
                    return JsonResponse({name: [NUL_MESSAGE]}, status=400)
                return HttpResponseBadRequest(f"Query parameter {name}: {NUL_MESSAGE}")
        return self.get_response(request)
