"""Monitoring for the demo trial (loaded by `manage.py seed_demo` after the clinical apps): one
remote monitoring visit to the demo site, with its findings and a follow-up action."""

from datetime import timedelta

from django.utils import timezone

from . import services
from .models import MonitoringVisit


def seed_demo(*, context: dict) -> list[str]:
    site, users = context["site"], context["users"]
    if MonitoringVisit.objects.filter(site=site).exists():
        return []
    today = timezone.localdate()
    services.monitoring_visit_save(
        user=users["monitor"],
        data={
            "site": site,
            "visit_date": today - timedelta(days=14),
            "kind": MonitoringVisit.Kind.REMOTE,
            "reviewed": "Consents and eligibility of the enrolled subjects; SAE reports of cohort 2.",
            "findings": "One day-14 visit missed (deviation recorded); SAE reports on time.",
            "follow_up_actions": "File the outside hospital's day-14 labs in the subject's record.",
            "follow_up_due": today + timedelta(days=14),
        },
    )
    return ["one monitoring visit"]
