from django.core.management.base import CommandError

from trial.audit import audit_findings, audit_keys
from trial.jobs import ScheduledCommand


class Command(ScheduledCommand):
    help = (
        "Recompute the hash chain of every history table (with AUDIT_HMAC_KEYS: rows not signed "
        "with the key are findings), compare the chains with the latest checkpoint "
        "(AUDIT_CHECKPOINT_FILE) and every live record with its latest history version; report "
        "each place that differs and exit non-zero (logged as an error and shown to data "
        "managers on the dashboard)."
    )

    def run(self, **options) -> str:
        found = audit_findings()
        for problem in found["problems"]:
            self.stderr.write(f"BROKEN {problem}")
        if found["problems"]:
            raise CommandError(f"audit trail altered: {'; '.join(found['problems'])}")
        checkpoint = found["checkpoint"]
        against = (
            f"; chains match the checkpoint of {checkpoint['at']}"
            if checkpoint
            else "; no checkpoint to compare with (AUDIT_CHECKPOINT_FILE)"
        )
        keyed = "keyed (HMAC)" if audit_keys() else "unkeyed (set AUDIT_HMAC_KEYS)"
        return (
            f"audit trail intact: {found['rows']} history rows in {found['tables']} tables, "
            f"{keyed}{against}; {found['records']} records match their history"
        )
