"""The demo study NCT05734898 as `manage.py seed_demo` loads it (idempotent)."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from . import services
from .models import DoseLevel, Site, SiteRole, Study

REGISTRY_ID = "NCT05734898"
DEMO_PASSWORD = "demo-NCT05734898"

STUDY = {
    "registry_id": REGISTRY_ID,
    "title": "NKG2D CAR-NK cells in the treatment of relapsed/refractory acute myeloid leukemia: "
    "a dose-escalation study of the maximum tolerated dose",
    "short_title": "NKG2D CAR-NK & r/r AML",
    "sponsor": "Zhejiang University",
    "phase": Study.Phase.PHASE_1,
    "target_enrollment": 30,
    "min_age_years": 3,
    "max_age_years": 75,
    "dlt_window_days": 28,
    "cohort_size": 3,
    "escalation_design": Study.Design.THREE_PLUS_THREE,
    "deescalation": True,
}

SITE = {
    "code": "01",
    "name": "The First Affiliated Hospital, Zhejiang University School of Medicine",
    "city": "Hangzhou",
    "country": "CN",
}

# The registry gives no dose levels: these come from the sponsor's sister trial NCT05247957
# and stay marked as placeholders until a data manager confirms them against the protocol.
DOSE_LEVELS = [
    (1, "2 x10^6 cells/kg", Decimal("2")),
    (2, "6 x10^6 cells/kg", Decimal("6")),
    (3, "18 x10^6 cells/kg", Decimal("18")),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str | None  # None: the superuser
    first_name: str
    last_name: str


DEMO_USERS = [
    DemoUser("admin", None, "Demo", "Administrator"),
    DemoUser("investigator", SiteRole.Role.INVESTIGATOR, "Ivy", "Investigator"),
    DemoUser("coordinator", SiteRole.Role.COORDINATOR, "Cora", "Coordinator"),
    DemoUser("monitor", SiteRole.Role.MONITOR, "Mona", "Monitor"),
    DemoUser("datamanager", SiteRole.Role.DATA_MANAGER, "Dana", "Data-Manager"),
    DemoUser("safetyreviewer", SiteRole.Role.SAFETY_REVIEWER, "Sam", "Safety-Reviewer"),
]

SEED_REASON = "Demo study loaded by seed_demo"


def _demo_user(spec: DemoUser, *, set_password: bool):
    User = get_user_model()
    user = User.objects.filter(username=spec.username).first()
    if user is not None:
        return user, False
    user = User(
        username=spec.username,
        first_name=spec.first_name,
        last_name=spec.last_name,
        is_staff=True,
        is_superuser=spec.role is None,
    )
    if set_password:
        user.set_password(DEMO_PASSWORD)
    else:
        user.set_unusable_password()
    user._change_reason = SEED_REASON
    user.save()
    return user, True


def seed_demo(*, context: dict) -> list[str]:
    """Create what is missing of the demo study; never changes what exists. Puts the study,
    site and users in `context` for the other apps' demo data; returns what was created."""
    set_passwords = context.get("set_passwords", False)
    created: list[str] = []
    with transaction.atomic():
        users = {}
        for spec in DEMO_USERS:
            users[spec.username], is_new = _demo_user(spec, set_password=set_passwords)
            if is_new:
                created.append(f"user {spec.username}")
        actor = users["admin"]

        study = Study.objects.filter(registry_id=REGISTRY_ID).first()
        if study is None:
            study = services.study_save(user=actor, data=STUDY)
            created.append(f"study {study}")

        site = Site.objects.filter(study=study, code=SITE["code"]).first()
        if site is None:
            site = services.site_save(user=actor, data={"study": study, **SITE})
            created.append(f"site {site.code}")

        for number, label, dose in DOSE_LEVELS:
            if not DoseLevel.objects.filter(study=study, number=number, is_voided=False).exists():
                services.dose_level_save(
                    user=actor,
                    data={
                        "study": study,
                        "number": number,
                        "label": label,
                        "cells_per_kg_million": dose,
                        "schedule": "Single intravenous infusion on day 0 (placeholder)",
                        "is_placeholder": True,
                    },
                )
                created.append(f"dose level {number}")

        for spec in DEMO_USERS:
            if spec.role is None:
                continue
            member = users[spec.username]
            if not SiteRole.objects.filter(user=member, site=site, role=spec.role).exists():
                services.site_role_grant(
                    user=actor, member=member, site=site, role=spec.role, reason=SEED_REASON
                )
                created.append(f"role {spec.role} for {spec.username}")
    context.update(study=study, site=site, users=users)
    return created
