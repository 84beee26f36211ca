"""What each study role may do, as Django permissions ("app_label.action_model").

A grant names an app ("screening") or one model ("trial.study"). Roles are held per site
(`SiteRole`); which records a user sees is decided by site scoping in the selectors, what
they may do with them by these grants. Nobody is granted "delete": records are voided.
"""

from .models import SiteRole

Role = SiteRole.Role

VIEW = frozenset({"view"})
ENTER = frozenset({"view", "add", "change"})

CLINICAL_APPS = ("screening", "dosing", "safety", "followup")
STUDY_CONFIGURATION = ("trial.study", "trial.site", "trial.doselevel")


def _grants(config: frozenset[str], clinical: frozenset[str]) -> dict[str, frozenset[str]]:
    grants = dict.fromkeys(STUDY_CONFIGURATION, VIEW)
    grants.update(dict.fromkeys(CLINICAL_APPS, clinical))
    if config != VIEW:
        grants.update(dict.fromkeys(STUDY_CONFIGURATION, config))
        grants["trial.siterole"] = config
    return grants


ROLE_GRANTS: dict[str, dict[str, frozenset[str]]] = {
    Role.INVESTIGATOR: _grants(config=VIEW, clinical=ENTER),
    Role.COORDINATOR: _grants(config=VIEW, clinical=ENTER),
    Role.MONITOR: _grants(config=VIEW, clinical=VIEW),
    Role.DATA_MANAGER: _grants(config=ENTER, clinical=VIEW),
    Role.SAFETY_REVIEWER: _grants(config=VIEW, clinical=VIEW),
}
