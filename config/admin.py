"""The admin site: Django's, with the study dashboard as its index page and each subject's
casebook."""

from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from config import accounts
from config.middleware import idle_seconds_left
from dosing.selectors import cohort_list
from exports.casebook import casebook_archive_chunks, casebook_pdf, subjects_for_archive
from followup.selectors import overdue_forms
from monitoring.selectors import (
    MATRIX_FORMS,
    VISIT_CRFS,
    casebook,
    crf_entry_url,
    dashboard,
    signature_manifest,
    subject_matrix,
)
from screening.models import Subject
from screening.selectors import subject_list
from trial.authentication import two_factor_passed
from trial.selectors import site_list, study_list


def _addable(user) -> set[str]:
    """The CRFs this user may enter (their add permission)."""
    return {label for label in MATRIX_FORMS if user.has_perm(label.replace(".", ".add_", 1))}


def _signer_name(user) -> str:
    return f"{user.get_full_name() or user.get_username()} ({user.get_username()})"


class StudyAdminSite(admin.AdminSite):
    site_header = _("EDC-lite: NCT05734898")
    site_title = _("EDC-lite")
    index_title = _("NKG2D CAR-NK in relapsed/refractory AML")
    index_template = "admin/study_dashboard.html"
    site_url = None  # no public site to "view": the link is not shown
    # lists and forms get the whole width (CRF lists have many columns); the header links to
    # the dashboard ("Today") and the subject matrix, the dashboard lists every CRF
    enable_nav_sidebar = False

    def has_permission(self, request):
        """Staff with a password and their second factor (21 CFR 11.300): a password alone
        opens only the second step."""
        return super().has_permission(request) and two_factor_passed(request)

    def login(self, request, extra_context=None):
        """The password step; a user who has given it goes on to the second step."""
        response = super().login(request, extra_context)
        user = request.user
        if (
            user.is_authenticated
            and user.is_active
            and not two_factor_passed(request)
            and (request.method == "GET" or response.status_code == 302)
        ):
            target = request.POST.get("next") or request.GET.get("next") or ""
            query = f"?{urlencode({'next': target})}" if target else ""
            return redirect(f"{reverse('admin:two_factor')}{query}")
        return response

    def each_context(self, request):
        context = super().each_context(request)
        if hasattr(request, "session"):
            context["session_idle_seconds"] = idle_seconds_left(request.session)
        return context

    def session_status_view(self, request):
        """How long the session has left (another tab may have moved its end on); asking does
        not move it (config.middleware leaves this address alone)."""
        return JsonResponse({"seconds_left": idle_seconds_left(request.session)})

    def keepalive_view(self, request):
        """ "Stay signed in": any request moves the session's end on (SESSION_SAVE_EVERY_REQUEST);
        this one does nothing else."""
        return HttpResponse(status=204)

    def two_factor_view(self, request):
        return accounts.two_factor_view(self, request)

    def language_view(self, request):
        return accounts.language_view(self, request)

    def two_factor_reset_view(self, request):
        return accounts.two_factor_reset_view(self, request)

    def api_tokens_view(self, request):
        return accounts.api_tokens_view(self, request)

    def index(self, request, extra_context=None):
        context = {"dashboard": dashboard(user=request.user), **(extra_context or {})}
        return super().index(request, context)

    def get_urls(self):
        return [
            path(
                "casebook/<int:subject_id>/",
                self.admin_view(self.casebook_view),
                name="casebook",
            ),
            path(
                "casebook/<int:subject_id>/pdf/",
                self.admin_view(self.casebook_pdf_view),
                name="casebook_pdf",
            ),
            path("casebook/archive/", self.admin_view(self.archive_view), name="casebook_archive"),
            path("matrix/", self.admin_view(self.matrix_view), name="subject_matrix"),
            path("overdue/", self.admin_view(self.overdue_view), name="overdue_forms"),
            # the second sign-in step and signing out: reached with a password alone, so not
            # `admin_view` (which sends a password-only session to the index, not signed out)
            path("logout/", csrf_protect(never_cache(self.logout)), name="logout"),
            path(
                "two-factor/",
                csrf_protect(never_cache(self.two_factor_view)),
                name="two_factor",
            ),
            path(
                "two-factor/reset/",
                self.admin_view(self.two_factor_reset_view),
                name="two_factor_reset",
            ),
            path("api-tokens/", self.admin_view(self.api_tokens_view), name="api_tokens"),
            path("language/", self.admin_view(self.language_view), name="language"),
            path("keepalive/", self.admin_view(self.keepalive_view), name="keepalive"),
            path(
                "session-status/",
                self.admin_view(self.session_status_view),
                name="session_status",
            ),
            *super().get_urls(),
        ]

    def casebook_view(self, request, subject_id: int):
        """Every CRF of one subject in visit order, with completion, SDV, lock and queries;
        another site's subject is not found, as everywhere."""
        if not request.user.has_perm("screening.view_subject"):
            raise PermissionDenied
        subject = get_object_or_404(
            subject_list(user=request.user).select_related("site__study"), pk=subject_id
        )
        context = {
            **self.each_context(request),
            "title": _("Casebook of %(screening_number)s")
            % {"screening_number": subject.screening_number},
            "subtitle": subject.site.name,
            "book": casebook(subject=subject, back=request.path, can_add=_addable(request.user)),
            "subject": subject,
            "highlight": request.GET.get("highlight"),
            "signatures": signature_manifest(subject),
        }
        return TemplateResponse(request, "admin/casebook.html", context)

    def casebook_pdf_view(self, request, subject_id: int):
        """The subject's casebook as a PDF archive copy (every value, its audit trail, queries
        and signatures); another site's subject is not found."""
        if not request.user.has_perm("screening.view_subject"):
            raise PermissionDenied
        subject = get_object_or_404(
            subject_list(user=request.user).select_related("site__study"), pk=subject_id
        )
        now = timezone.now()
        pdf = casebook_pdf(subject, generated_by=_signer_name(request.user), now=now)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="{subject.screening_number}-casebook-{now:%Y%m%dT%H%MZ}.pdf"'
        )
        return response

    def archive_view(self, request):
        """Archive copies of every subject of a site (`?site=`) or of the user's sites in a study
        (`?study=`): a ZIP of casebook PDFs with SHA256SUMS and manifest.json, streamed one
        subject at a time."""
        if not request.user.has_perm("screening.view_subject"):
            raise PermissionDenied
        subjects = subject_list(user=request.user)
        scope = "all subjects of the user's sites"
        for name, path_ in (("site", "site_id"), ("study", "site__study_id")):
            value = request.GET.get(name, "")
            if value:
                if not (value.isascii() and value.isdecimal()):
                    return HttpResponse(f"{name} must be a number.", status=400)
                subjects = subjects.filter(**{path_: int(value)})
                scope = f"{name} {value}"
        now = timezone.now()
        response = StreamingHttpResponse(
            casebook_archive_chunks(
                subjects_for_archive(subjects),
                generated_by=_signer_name(request.user),
                now=now,
                scope=scope,
            ),
            content_type="application/zip",
        )
        response["Content-Disposition"] = f'attachment; filename="casebooks-{now:%Y%m%dT%H%MZ}.zip"'
        return response

    def matrix_view(self, request):
        """The subject matrix: every subject of the user's sites against the visit schedule,
        each cell opening that step's CRFs (and a prefilled form for each missing one)."""
        if not request.user.has_perm("screening.view_subject"):
            raise PermissionDenied
        filters = {
            name: request.GET.get(name) or None for name in ("site", "status", "cohort", "study")
        }
        studies = list(study_list(user=request.user).order_by("pk"))
        study = next((s for s in studies if str(s.pk) == filters["study"]), None) or next(
            iter(studies), None
        )
        ids = {}
        for name in ("site", "cohort"):
            value = filters[name] or ""
            ids[name] = int(value) if value.isascii() and value.isdecimal() else None
        status = filters["status"] if filters["status"] in Subject.Status.values else None
        kept = request.GET.copy()
        kept.pop("highlight", None)
        back = f"{request.path}?{kept.urlencode()}" if kept else request.path
        can_add = {
            label for label in MATRIX_FORMS if request.user.has_perm(label.replace(".", ".add_", 1))
        }
        matrix = subject_matrix(
            user=request.user,
            study=study,
            site=ids["site"],
            status=status,
            cohort=ids["cohort"],
            back=back,
            can_add=can_add,
        )
        highlight = request.GET.get("highlight")
        for row in matrix["rows"]:
            row["highlight"] = highlight == f"screening.subject:{row['subject']}"
            for cell in row["cells"]:
                cell["highlight"] = bool(highlight) and any(
                    item.get("ref") == highlight for item in cell["items"]
                )
        context = {
            **self.each_context(request),
            "title": _("Subject matrix"),
            "subtitle": study.title if study else None,
            "matrix": matrix,
            "study": study,
            "studies": studies,
            "sites": site_list(user=request.user).filter(study=study).order_by("code"),
            "cohorts": cohort_list(user=request.user)
            .filter(study=study)
            .select_related("dose_level")
            .order_by("sequence"),
            "statuses": Subject.Status.choices,
            "selected": {**ids, "status": status},
            "can_register": request.user.has_perm("screening.add_subject"),
            "back": back,
        }
        return TemplateResponse(request, "admin/subject_matrix.html", context)

    def overdue_view(self, request):
        """Every expected CRF of a past visit window that is missing, at the user's sites, each
        with a link to enter it (prefilled, coming back here)."""
        if not request.user.has_perm("screening.view_subject"):
            raise PermissionDenied
        can_add = _addable(request.user)
        rows = overdue_forms(user=request.user)
        date_field = {
            "visit": "actual_date",
            "labs": "collected_on",
            "crs": "assessed_at",
            "icans": "assessed_at",
            "response": "assessment_date",
        }
        for row in rows:
            label = VISIT_CRFS[row["crf"]]
            initial = {"subject": row["subject"], date_field[row["crf"]]: row["planned_date"]}
            if row["crf"] == "visit":
                initial["definition"] = row["definition"]
            row["entry_url"] = (
                crf_entry_url(label, initial, back=request.path) if label in can_add else None
            )
        context = {
            **self.each_context(request),
            "title": _("Overdue forms"),
            "rows": rows,
            "highlight": request.GET.get("highlight"),
        }
        return TemplateResponse(request, "admin/overdue_forms.html", context)
