import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from trial.audit import audit_findings, current_key, history_models, rekey_chain, write_checkpoint

logger = logging.getLogger("edc.audit")


class Command(BaseCommand):
    help = (
        "Sign every history row with the current audit key (the first of AUDIT_HMAC_KEYS): once "
        "after setting a key on an existing database, and after adding a new key in front to "
        "rotate. Run as the tables' owner (it lifts the append-only trigger inside its "
        "transaction); refuses unless every chain verifies first, under the keys it holds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--yes", action="store_true", help="Do it (without: a dry run).")

    def handle(self, *args, yes=False, **options):
        key = current_key()
        if key is None:
            raise CommandError("AUDIT_HMAC_KEYS is not set: there is no key to sign with")
        models = sorted(history_models(), key=lambda m: m._meta.db_table)
        # unsigned rows are what it fixes; it writes the first checkpoint if there is none yet
        problems = audit_findings(unkeyed=False, first_checkpoint_due=True)["problems"]
        if problems:
            raise CommandError(
                f"refused: the audit trail does not verify, investigate first: {'; '.join(problems)}"
            )
        if not yes:
            self.stdout.write(
                f"dry run: {len(models)} chains verify; --yes signs them with key {key[0]}"
            )
            return
        changed = 0
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:  # ALTER TABLE waits for no deferred check
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for model in models:
                table = model._meta.db_table
                postgres = connection.vendor == "postgresql"
                if postgres:
                    with connection.cursor() as cursor:
                        cursor.execute(
                            f'ALTER TABLE "{table}" DISABLE TRIGGER edc_append_only_rows'
                        )
                changed += rekey_chain(model)
                if postgres:
                    with connection.cursor() as cursor:
                        cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER edc_append_only_rows')
        if settings.AUDIT_CHECKPOINT_FILE:  # the heads changed: anchor the new ones
            write_checkpoint(settings.AUDIT_CHECKPOINT_FILE, at=timezone.now())
        message = f"audit chains signed with key {key[0]}: {changed} hashes in {len(models)} tables"
        logger.warning(message)
        self.stdout.write(message)
