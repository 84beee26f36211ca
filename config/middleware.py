"""Requests refused before any view sees them, and the signed-in session's idle clock."""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils import translation

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


TOUCHED = "_idle_touched"  # when the session's end was last moved on (epoch seconds)
STATUS_PATH = "/admin/session-status/"  # asks how long is left: must not move the end on
TOUCH_EVERY = 60


def touch(session) -> None:
    """Move the session's end on: saving it sets its expiry to SESSION_COOKIE_AGE from now."""
    session[TOUCHED] = int(time.time())


def idle_seconds_left(session) -> int:
    return max(0, settings.SESSION_COOKIE_AGE - (int(time.time()) - session.get(TOUCHED, 0)))


class SessionIdleMiddleware:
    """A signed-in session ends SESSION_IDLE_MINUTES after the last request (21 CFR 11.10(d)):
    each request moves its end on, written at most once a minute (not a database write per
    request), so it ends between IDLE-1 and IDLE minutes after the last request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if (
            session is not None
            and request.path != STATUS_PATH
            and SESSION_KEY in session
            and int(time.time()) - session.get(TOUCHED, 0) >= TOUCH_EVERY
        ):
            touch(session)
        return self.get_response(request)


@receiver(user_logged_in)
def _start_idle_clock(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        touch(request.session)


class UserLanguageMiddleware:
    """The pages of a signed-in user are in the language they chose (`User.language`); with none
    chosen, LocaleMiddleware's pick from the browser's Accept-Language stands. The API follows
    Accept-Language only: a client asks for the language of its error messages per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if not request.path.startswith(API_PREFIX) and user is not None and user.is_authenticated:
            language = user.language
            if language and language != translation.get_language():
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
