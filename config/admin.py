"""The admin site: Django's, with the study dashboard as its index page and each subject's
casebook."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path

from monitoring.selectors import casebook, dashboard
from screening.selectors import subject_list


class StudyAdminSite(admin.AdminSite):
    site_header = "EDC-lite: NCT05734898"
    site_title = "EDC-lite"
    index_title = "NKG2D CAR-NK in relapsed/refractory AML"
    index_template = "admin/study_dashboard.html"
    site_url = None  # no public site to "view": the link is not shown

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
            "title": f"Casebook of {subject.screening_number}",
            "subtitle": subject.site.name,
            "book": casebook(subject=subject),
            "subject": subject,
        }
        return TemplateResponse(request, "admin/casebook.html", context)
