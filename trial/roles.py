"""What each study role may do, as Django permissions ("app_label.action_model").

A grant names an app ("screening") or one model ("trial.study"). Roles are held per site
(`SiteRole`); which records a user sees is decided by site scoping in the selectors, what
they may do with them by these grants. Nobody is granted "delete": records are voided.
"""

from .models import SiteRole

Role = SiteRole.Role

VIEW = frozenset({"view"})
ENTER = frozenset({"view", "add", "change"})
ANSWER = frozenset({"view", "change"})

CLINICAL_APPS = ("screening", "dosing", "safety", "followup")
STUDY_CONFIGURATION = ("trial.study", "trial.site", "trial.doselevel")


# Records of the study as a whole, kept by data managers or the safety review committee,
# which site staff only read.
STUDY_LEVEL = (
    "dosing.cohort",
    "dosing.escalationdecision",
    "dosing.lymphodepletionregimen",
    "safety.dltcriteriaconfig",
    "followup.visitdefinition",
)


def _grants(
    config: frozenset[str], clinical: frozenset[str], **models: frozenset[str]
) -> dict[str, frozenset[str]]:
    """App-wide grants, then per-model grants ("dosing__cohort") that replace the app's."""
    grants = dict.fromkeys(STUDY_CONFIGURATION, VIEW)
    grants.update(dict.fromkeys(CLINICAL_APPS, clinical))
    grants.update(dict.fromkeys(STUDY_LEVEL, VIEW))
    grants["monitoring"] = VIEW  # queries, SDV, locks, signatures: readable by every study role
    if config != VIEW:
        grants.update(dict.fromkeys(STUDY_CONFIGURATION, config))
        grants["trial.siterole"] = config
    grants.update({key.replace("__", "."): actions for key, actions in models.items()})
    return grants


ROLE_GRANTS: dict[str, dict[str, frozenset[str]]] = {
    Role.INVESTIGATOR: _grants(
        config=VIEW, clinical=ENTER, monitoring__query=ANSWER, monitoring__signature=ENTER
    ),
    Role.COORDINATOR: _grants(config=VIEW, clinical=ENTER, monitoring__query=ANSWER),
    Role.MONITOR: _grants(
        config=VIEW,
        clinical=VIEW,
        monitoring__query=ENTER,
        monitoring__sdvmark=ENTER,
        monitoring__monitoringvisit=ENTER,
    ),
    Role.DATA_MANAGER: _grants(
        config=ENTER,
        clinical=VIEW,
        dosing__cohort=ENTER,
        dosing__lymphodepletionregimen=ENTER,
        safety__dltcriteriaconfig=ENTER,
        followup__visitdefinition=ENTER,
        monitoring__query=ENTER,
        monitoring__sdvplan=ENTER,
        monitoring__lock=ENTER,
        trial__jobrun=VIEW,  # the deployment's scheduled jobs
    ),
    # the committee decides escalation and confirms DLTs (a change of the DLT evaluation)
    Role.SAFETY_REVIEWER: _grants(
        config=VIEW,
        clinical=VIEW,
        dosing__escalationdecision=ENTER,
        dosing__dltevaluation=frozenset({"view", "change"}),
        safety__dltcandidate=frozenset({"view", "change"}),
        monitoring__signature=ENTER,
    ),
}
