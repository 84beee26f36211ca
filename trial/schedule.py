"""The scheduled jobs of a deployment (deploy/yacron.yaml runs them; tests/test_deploy.py checks
that the two agree): job name -> (cron schedule in the study's time zone, what it is for)."""

SCHEDULE = {
    "refresh_dlt_windows": ("5 0 * * *", "DLT windows that closed turn patients evaluable"),
    "refresh_dlt_candidates": ("10 0 * * *", "time-dependent DLT clauses flagged"),
    "backup": ("0 2 * * *", "database backup; backups older than BACKUP_KEEP_DAYS removed"),
    "audit_checkpoint": ("0 * * * *", "the audit chains' heads appended outside the database"),
    "verify_audit": (
        "30 2 * * *",
        "audit trail checked: hash chains, the last checkpoint, every record against its history",
    ),
}
# a daily job whose last run is older than this is shown as late
LATE_AFTER_HOURS = 26
