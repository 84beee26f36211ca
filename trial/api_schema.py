"""OpenAPI postprocessing: every operation documents the errors the API answers with.

drf-spectacular documents the success response only; clients (and the schema fuzzer) need the
error statuses too. They follow from how every endpoint is built (trial.api_base,
trial.api_defaults), so they are added here once rather than on each view.
"""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension

ERROR = {
    "type": "object",
    "description": "An error that is not about particular fields.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "type": "object",
    "description": (
        "Field-level messages: each key is a field (or `non_field_errors`, or `detail` when the "
        "request body could not be read) with its list of messages."
    ),
    "additionalProperties": {},
}

REASONS = {
    "400": ("ValidationError", "Invalid input; nothing was saved."),
    "401": ("Error", "Not authenticated."),
    "403": ("Error", "The user's study role does not allow this."),
    "404": ("Error", "No such record among those the user may see (or no such page)."),
    "409": ("Error", "Conflicts with the record's state or another record (e.g. a lock)."),
    "412": ("Error", "If-Match differs from the record's current ETag: reload and retry."),
    "415": ("Error", "Unsupported request media type."),
    "428": ("Error", "If-Match is required on updates."),
    "429": ("Error", "Rate limit exceeded; see Retry-After."),
}
WRITES = {"post", "put", "patch"}


def error_statuses(path: str, method: str, operation: dict) -> set[str]:
    statuses = {"401", "403", "429"}
    parameters = operation.get("parameters", [])
    if "{" in path:
        statuses.add("404")
    if any(parameter["in"] == "query" for parameter in parameters):
        statuses |= {"400", "404"}  # a bad filter value; a page past the end
    if method in WRITES:
        statuses |= {"400", "409", "415"}
    if method in {"put", "patch"}:
        statuses |= {"412", "428"}
    if is_detail_action(path, method):
        statuses.add("412")
    return statuses


def is_detail_action(path: str, method: str) -> bool:
    """`POST /.../{id}/void/` and the like: they take an optional If-Match."""
    return method == "post" and path.rstrip("/").split("/")[-2:-1] == ["{id}"]


OPTIONAL_IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "The ETag of the record as last read (GET). Optional here; a stale one gets 412.",
}


def add_error_responses(result, generator, request, public):
    """A drf-spectacular postprocessing hook (see SPECTACULAR_SETTINGS)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("ValidationError", VALIDATION_ERROR)
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            parameters = operation.setdefault("parameters", [])
            if is_detail_action(path, method) and not any(
                p.get("name") == "If-Match" for p in parameters
            ):
                parameters.append(OPTIONAL_IF_MATCH)
            responses = operation.setdefault("responses", {})
            for status in sorted(error_statuses(path, method, operation)):
                component, description = REASONS[status]
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{component}"}
                            }
                        },
                    },
                )
    return result


class ExpiringTokenScheme(OpenApiAuthenticationExtension):
    """`Authorization: Token <token>`: an API token from /api/v1/tokens/ (or the admin)."""

    target_class = "trial.authentication.ExpiringTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'An API token, sent as "Token <token>"; it ends after its days.',
        }


class TwoFactorSessionScheme(OpenApiAuthenticationExtension):
    """The admin's session cookie, once the second factor is given."""

    target_class = "trial.authentication.TwoFactorSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
