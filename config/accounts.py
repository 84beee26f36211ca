"""The account pages of the admin: the second sign-in step (set-up with a QR code, recovery
codes), API tokens, and a data manager's reset of a lost second factor.

The second step is reached with a password alone, so it is not wrapped in `admin_view` (which
asks for both); every other page is."""

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from trial.authentication import demo_bypass
from trial.selectors import api_token_list, managed_user_list, two_factor_status
from trial.services import (
    api_token_create,
    api_token_revoke,
    recovery_codes_renew,
    two_factor_confirm,
    two_factor_pending_device,
    two_factor_reset,
    two_factor_verify,
    user_language_set,
)

PENDING_DEVICE = "_two_factor_pending_device"


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "size": 10}
        ),
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=_("What it is for"), max_length=100)
    days = forms.IntegerField(
        label=_("Days until it ends"),
        min_value=1,
        max_value=settings.API_TOKEN_DAYS,
        initial=settings.API_TOKEN_DAYS,
    )


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("admin:index")


def _posted_id(request, name: str) -> int:
    """A record id posted by one of these pages' forms; anything else is a record not found."""
    value = request.POST.get(name, "")
    if not (value.isascii() and value.isdecimal()):
        raise Http404
    return int(value)


def _form_errors(form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


def qr_svg(text: str) -> str:
    """An SVG QR code, inline in the page (no image service, no CDN)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def two_factor_view(site, request):
    """Set-up (first sign-in, or after a reset), the second step of each sign-in, and then the
    user's own two-factor page (new recovery codes)."""
    user = request.user
    if not (user.is_authenticated and user.is_active):
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    next_url = _next_url(request)
    context = {
        **site.each_context(request),
        "title": _("Two-factor sign-in"),
        "next": next_url,
        "demo_bypass": demo_bypass(),
    }
    has_authenticator = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    form = CodeForm(request.POST or None)

    if not has_authenticator:
        device = two_factor_pending_device(user=user, device_id=request.session.get(PENDING_DEVICE))
        request.session[PENDING_DEVICE] = device.pk
        if request.method == "POST" and form.is_valid():
            try:
                codes = two_factor_confirm(
                    user=user, device=device, token=form.cleaned_data["otp_token"]
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                request.session.pop(PENDING_DEVICE, None)
                request.session.cycle_key()
                otp_login(request, device)
                context.update(mode="codes", codes=codes, title=_("Your recovery codes"))
                return TemplateResponse(request, "admin/two_factor.html", context)
        context.update(
            mode="setup",
            title=_("Set up two-factor sign-in"),
            form=form,
            qr=qr_svg(device.config_url),
            secret=b32encode(device.bin_key).decode(),
        )
        return TemplateResponse(request, "admin/two_factor.html", context)

    verified = getattr(user, "is_verified", lambda: False)()
    if not verified and not demo_bypass():
        if request.method == "POST" and form.is_valid():
            device = two_factor_verify(user=user, token=form.cleaned_data["otp_token"])
            if device is not None:
                request.session.cycle_key()
                otp_login(request, device)
                return redirect(next_url)
            form.add_error(
                "otp_token",
                "That code is not right (or was already used). Each failed try makes the next "
                "one wait longer.",
            )
        context.update(mode="verify", form=form)
        return TemplateResponse(request, "admin/two_factor.html", context)

    if request.method == "GET" and "next" in request.GET:
        return redirect(next_url)  # already past the second step (e.g. signed in again)
    if request.method == "POST" and request.POST.get("action") == "renew":
        codes = recovery_codes_renew(user=user)
        current = getattr(user, "otp_device", None)
        if current is not None and not isinstance(current, TOTPDevice):
            # signed in with a recovery code of the set just replaced: the authenticator holds
            otp_login(request, TOTPDevice.objects.filter(user=user, confirmed=True).first())
        context.update(mode="codes", codes=codes, title=_("Your new recovery codes"))
        return TemplateResponse(request, "admin/two_factor.html", context)
    context.update(mode="status", status=two_factor_status(users=[user])[user.pk])
    return TemplateResponse(request, "admin/two_factor.html", context)


def api_tokens_view(site, request):
    """The user's API tokens (a data manager's page also lists those of the accounts they look
    after): create one (shown once), revoke one with a reason."""
    user = request.user
    form = TokenForm(request.POST if request.POST.get("action") == "create" else None)
    context = {**site.each_context(request), "title": _("API tokens")}
    if request.method == "POST" and request.POST.get("action") == "create" and form.is_valid():
        try:
            api_token, token = api_token_create(
                user=user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            context.update(new_token=token, new_token_record=api_token)
            form = TokenForm()
    elif request.method == "POST" and request.POST.get("action") == "revoke":
        api_token = get_object_or_404(api_token_list(user=user), pk=_posted_id(request, "token"))
        try:
            api_token_revoke(user=user, instance=api_token, reason=request.POST.get("reason"))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("Token %(token_key)s… revoked.") % {"token_key": api_token.token_key}
            )
        return redirect(request.path)
    context.update(form=form, tokens=api_token_list(user=user), now=timezone.now())
    return TemplateResponse(request, "admin/api_tokens.html", context)


def two_factor_reset_view(site, request):
    """A data manager's list of the accounts they look after, with each one's second factor,
    and the reset of a lost one (with a reason)."""
    user = request.user
    if not user.has_perm("trial.change_siterole"):
        raise PermissionDenied
    members = list(managed_user_list(user=user))
    if request.method == "POST":
        member = get_object_or_404(managed_user_list(user=user), pk=_posted_id(request, "user"))
        try:
            count = two_factor_reset(user=user, member=member, reason=request.POST.get("reason"))
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(
                request,
                ngettext(
                    "Second factor of %(member)s reset (%(count)s device): they set up a new one "
                    "at their next sign-in.",
                    "Second factor of %(member)s reset (%(count)s devices): they set up a new one "
                    "at their next sign-in.",
                    count,
                )
                % {"member": member.get_full_name() or member.username, "count": count},
            )
        return redirect(request.path)
    status = two_factor_status(users=members)
    context = {
        **site.each_context(request),
        "title": _("Two-factor sign-in of the study's accounts"),
        "rows": [{"member": m, **status[m.pk]} for m in members],
        "user_model": get_user_model()._meta,
    }
    return TemplateResponse(request, "admin/two_factor_reset.html", context)


def language_view(site, request):
    """The header's language switch: the signed-in user's pages from now on, back where they were."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        user_language_set(user=request.user, language=request.POST.get("language", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_next_url(request))
