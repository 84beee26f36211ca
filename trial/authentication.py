"""Who is signed in, and with what: the second factor of a session, and expiring API tokens.

DRF loads the authentication classes named in settings while `rest_framework.views` is still
importing, before the apps are ready: models are imported inside the methods.
"""

from hmac import compare_digest

from django.conf import settings
from django.utils import timezone
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication, get_authorization_header

TOKEN_PREFIX = "Token"


def demo_bypass() -> bool:
    """The demo's password-only sign-in (`make run`): never without DEBUG (edc.E004)."""
    return bool(settings.DEBUG and settings.OTP_DEMO_BYPASS)


def two_factor_passed(request) -> bool:
    """The signed-in user of this request gave their second factor in this session."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified()) or demo_bypass()


class TwoFactorSessionAuthentication(SessionAuthentication):
    """An admin session signs API requests only once its second factor is given: with the
    password alone the request is anonymous (401/403), like the admin's pages."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None or not two_factor_passed(request._request):
            return None
        return result


class ExpiringTokenAuthentication:
    """`Authorization: Token <token>` with a django-rest-knox token (stored as a digest): refused
    once expired or revoked. Unlike knox's own class, it never deletes a token: an ended token
    stays listed, with its history."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != TOKEN_PREFIX.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Invalid token header: 'Token' then the token, without spaces."
            )
        try:
            token = parts[1].decode()
            digest = hash_token(token)
        except (UnicodeDecodeError, TypeError, ValueError) as exc:
            raise exceptions.AuthenticationFailed("Invalid token.") from exc
        from .models import ApiToken

        candidates = ApiToken.objects.filter(
            token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH]
        ).select_related("user")
        for api_token in candidates:
            if not compare_digest(digest, api_token.digest):
                continue
            if api_token.revoked_at is not None:
                raise exceptions.AuthenticationFailed("This token was revoked.")
            if api_token.expiry is not None and api_token.expiry <= timezone.now():
                raise exceptions.AuthenticationFailed(
                    "This token has expired: create a new one from a signed-in session."
                )
            if not api_token.user.is_active:
                raise exceptions.AuthenticationFailed("This account is deactivated.")
            return api_token.user, api_token
        raise exceptions.AuthenticationFailed("Invalid token.")

    def authenticate_header(self, request):
        return TOKEN_PREFIX
