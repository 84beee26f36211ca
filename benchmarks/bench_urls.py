"""The app's URLs plus one bare Django view: the stack's own limit for `load.py`.

`/bench/bare/subjects/<id>/` goes through the same middleware and the same token check as the
API, reads the subject with one indexed query scoped to the user's sites and answers the same
JSON shape as `GET /api/v1/subjects/<id>/`, without DRF (no view class, serializer, filters,
permission or throttle classes).
"""

import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.urls import path
from rest_framework.exceptions import AuthenticationFailed

from config.urls import urlpatterns as app_urlpatterns
from screening.models import Subject
from trial.authentication import ExpiringTokenAuthentication
from trial.selectors import site_ids_for

FIELDS = (
    "id",
    "site_id",
    "screening_number",
    "date_of_birth",
    "sex",
    "status",
    "is_demo",
    "created_at",
    "version",
    "is_voided",
    "voided_at",
    "void_reason",
)


def bare_subject(request, pk):
    try:
        found = ExpiringTokenAuthentication().authenticate(request)
    except AuthenticationFailed as exc:
        return JsonResponse({"detail": str(exc.detail)}, status=401)
    if found is None:
        return JsonResponse({"detail": "Authentication credentials were not provided."}, status=401)
    subjects = Subject.objects.filter(pk=pk)
    sites = site_ids_for(found[0])
    if sites is not None:
        subjects = subjects.filter(site_id__in=sites)
    row = subjects.values(*FIELDS).first()
    if row is None:
        return JsonResponse({"detail": "No Subject matches the given query."}, status=404)
    row["site"] = row.pop("site_id")
    for key, value in row.items():  # as DRF writes them: microseconds, "Z" for UTC
        if isinstance(value, datetime.datetime):
            row[key] = value.isoformat().replace("+00:00", "Z")
    return JsonResponse(row, encoder=DjangoJSONEncoder)


urlpatterns = [path("bench/bare/subjects/<int:pk>/", bare_subject), *app_urlpatterns]
