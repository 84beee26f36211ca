from django.conf import settings
from django.core.management.base import CommandError

from trial.audit import (
    audit_keys,
    history_models,
    read_checkpoints,
    unkeyed_rows,
    verify_chain,
    verify_heads,
    verify_records,
)
from trial.jobs import ScheduledCommand


class Command(ScheduledCommand):
    help = (
        "Recompute the hash chain of every history table, compare the chains with the latest "
        "checkpoint (AUDIT_CHECKPOINT_FILE) and every live record with its latest history "
        "version; report each place that differs and exit non-zero (logged as an error and "
        "shown to data managers on the dashboard)."
    )

    def run(self, **options) -> str:
        broken = []
        total = records = 0
        models = sorted(history_models(), key=lambda m: m._meta.db_table)
        for model in models:
            checked, bad = verify_chain(model)
            total += checked
            if bad is not None:
                broken.append(f"{model._meta.db_table}: history_id {bad}")
                self.stderr.write(
                    f"BROKEN {model._meta.db_table}: the chain breaks at history_id {bad}"
                )
        checkpoint, problems = None, []
        if audit_keys():  # with a key, a row anyone could have hashed is a finding
            for model in models:
                unkeyed = unkeyed_rows(model)
                if unkeyed:
                    problems.append(
                        f"{model._meta.db_table}: {unkeyed} rows not signed with the audit key "
                        "(written before AUDIT_HMAC_KEYS was set: run audit_rekey)"
                    )
        if settings.AUDIT_CHECKPOINT_FILE:
            checkpoint, problems = read_checkpoints(settings.AUDIT_CHECKPOINT_FILE)
            if checkpoint is not None:
                problems += verify_heads(checkpoint)
        for model in models:
            checked, differences = verify_records(model)
            records += checked
            table = model.instance_type._meta.db_table
            problems += [f"{table}: {difference}" for difference in differences]
        for problem in problems:
            self.stderr.write(f"BROKEN {problem}")
        broken += problems
        if broken:
            raise CommandError(f"audit trail altered: {'; '.join(broken)}")
        against = (
            f"; chains match the checkpoint of {checkpoint['at']}"
            if checkpoint
            else "; no checkpoint to compare with (AUDIT_CHECKPOINT_FILE)"
        )
        keyed = "keyed (HMAC)" if audit_keys() else "unkeyed (set AUDIT_HMAC_KEYS)"
        return (
            f"audit trail intact: {total} history rows in {len(models)} tables, {keyed}"
            f"{against}; {records} records match their history"
        )
