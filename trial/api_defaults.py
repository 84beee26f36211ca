"""DRF defaults named in settings.REST_FRAMEWORK.

Kept apart from `api_base` because DRF imports these while `rest_framework.views` is still
loading: this module must not import views or decorators.
"""

import re

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from rest_framework import exceptions, permissions
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle


class StudyRolePermission(permissions.DjangoModelPermissions):
    """Authenticated, and the model permission of the action (reads need "view" too)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": [],
    }

    # actions that change an existing record (POST .../{id}/void/ etc.) need "change", not "add"
    change_actions = frozenset(
        {
            "void",
            "withdraw",
            "confirm",
            "grades",
            "accept",
            "reject",
            "answer",
            "close",
            "reopen",
            "release",
        }
    )

    # actions of a role that may only read the record otherwise (a data manager coding an AE
    # term): "view" here, the service checks the role
    role_actions = frozenset({"code"})

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if getattr(view, "queryset", None) is None and not hasattr(view, "get_queryset"):
            return True
        if getattr(view, "action", None) in self.role_actions:
            model = self._queryset(view).model
            return request.user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
        if getattr(view, "action", None) in self.change_actions:
            model = self._queryset(view).model
            return request.user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}")
        return super().has_permission(request, view)


class BoundedPageNumberPagination(PageNumberPagination):
    """`?page_size=` from 1 to 200; anything else is a 400, not silently the default."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        # pages of an unordered query can repeat or skip rows: fall back to creation order
        if isinstance(queryset, QuerySet) and not queryset.ordered:
            queryset = queryset.order_by("pk")
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters


RATE = re.compile(r"^\s*(?P<num>\d+)\s*/\s*(?P<count>\d*)\s*(?P<unit>s|sec|m|min|h|hour|d|day)\s*$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'600/10m' -> (600, 600): requests allowed, window in seconds. '5/s' means '5/1s'."""
    match = RATE.match(rate)
    if match is None:
        raise ImproperlyConfigured(
            f"API rate {rate!r} is not of the form <requests>/<count><s|m|h|d>, e.g. 600/10m."
        )
    count = int(match["count"] or 1)
    if count == 0:
        raise ImproperlyConfigured(f"API rate {rate!r} has an empty window.")
    return int(match["num"]), count * UNIT_SECONDS[match["unit"][0]]


class StudyUserRateThrottle(UserRateThrottle):
    """Per-user (per-IP when anonymous) rate limit; DRF answers 429 with Retry-After.

    Unlike DRF's own parser this one reads windows such as '600/10m', and the rate is read
    from the current settings on each request, so a changed setting applies at once.
    """

    def get_rate(self):
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError as exc:
            raise ImproperlyConfigured(f"No API rate set for scope {self.scope!r}.") from exc

    def parse_rate(self, rate):
        return (None, None) if rate is None else parse_rate(rate)

    def allow_request(self, request, view):
        """A fixed window per user, opened by their first request, counted with the cache's
        atomic increment (DRF's own throttle reads a list of times and writes it back: parallel
        requests of one user each saw the same count and all got through). Refused requests
        count too. The window's start is kept beside the count, for Retry-After."""
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        for _ in range(3):
            try:  # an open window: one increment (the common case, fewest cache round trips)
                count = self.cache.incr(self.key)
                break
            except ValueError:  # no window: open one (add() is atomic: one opener wins)
                self.cache.add(f"{self.key}:start", self.now, self.duration)
                self.cache.add(self.key, 0, self.duration)
        else:  # pragma: no cover - the cache loses every key it is given
            raise RuntimeError("The rate-limit cache keeps no counter.")
        return count <= self.num_requests

    def wait(self):
        started = self.cache.get(f"{self.key}:start", self.now)
        return max(0.0, started + self.duration - self.now)


MAX_JSON_DEPTH = 32


def _refuse_nul_and_depth(data) -> None:
    """Walk a parsed body without recursion: nesting deeper than any form of this API, or a
    NUL character (which PostgreSQL refuses in text) anywhere, is a 400 naming the field."""
    stack = [(data, 1, None)]
    while stack:
        value, depth, field = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise exceptions.ParseError(
                f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels."
            )
        if isinstance(value, dict):
            for key, item in value.items():
                name = field or key
                if "\x00" in key:
                    raise exceptions.ValidationError({"non_field_errors": [NUL_MESSAGE]})
                stack.append((item, depth + 1, name))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, field) for item in value)
        elif isinstance(value, str) and "\x00" in value:
            raise exceptions.ValidationError({field or "non_field_errors": [NUL_MESSAGE]})


NUL_MESSAGE = "Text may not contain NUL characters (\\u0000)."


class StrictJSONParser(JSONParser):
    """DRF's JSON parser, where a body nested 1,000 levels deep is a 400 (json.loads raised
    RecursionError, a 500) and text with a NUL character is refused before it reaches a
    database that cannot store it."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(
                f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels."
            ) from None
        _refuse_nul_and_depth(data)
        return data
