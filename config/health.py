"""`/healthz`: for the container's health check and the hospital's monitoring. No login and no
data: 200 when the database answers and every migration is applied, 503 otherwise.

Answered by a middleware near the top, before anything reads the Host header or redirects to
HTTPS: the container's check calls http://127.0.0.1:8000/healthz whatever ALLOWED_HOSTS and
HTTPS say (a host check would answer it 400, and the scheduler that waits for a healthy web
service would never start)."""

from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

_migrated: set[str] = set()  # aliases found fully migrated: stays true for this process


def _pending_migrations(alias: str) -> int:
    if alias in _migrated:
        return 0
    executor = MigrationExecutor(connections[alias])
    pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    if not pending:
        _migrated.add(alias)
    return pending


@never_cache
@require_safe
def healthz(request):
    alias = "default"
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
        pending = _pending_migrations(alias)
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    if pending:
        return JsonResponse({"status": "unavailable", "database": "migrations pending"}, status=503)
    return JsonResponse({"status": "ok"})


class HealthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            return healthz(request)
        return self.get_response(request)
