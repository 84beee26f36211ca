from django.contrib.admin.apps import AdminConfig


class StudyAdminConfig(AdminConfig):
    """django.contrib.admin with the study dashboard as the admin index."""

    default_site = "config.admin.StudyAdminSite"
