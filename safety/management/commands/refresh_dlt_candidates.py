from django.db import transaction

from safety.services import dlt_candidates_refresh
from screening.models import Subject
from trial.jobs import ScheduledCommand
from trial.services import Conflict


class Command(ScheduledCommand):
    help = (
        "Run daily: flags DLT candidates whose clause depends on time (grade 3 CRS past 72 h, "
        "an AE lasting more than 7 days) for every enrolled subject. Locked casebooks are "
        "skipped and listed; every other subject is refreshed."
    )

    def run(self, **options) -> str:
        flagged = skipped = 0
        subjects = Subject.objects.filter(enrollment__isnull=False).select_related("site")
        for subject in subjects.order_by("screening_number"):
            try:
                with transaction.atomic():  # a subject refreshed whole or not at all
                    flagged += len(dlt_candidates_refresh(subject=subject, user=None))
            except Conflict as locked:
                skipped += 1
                self.stderr.write(
                    f"Skipped {subject.screening_number} (locked): {' '.join(locked.messages)}"
                )
        summary = f"{flagged} new DLT candidate(s) flagged"
        return summary + (f", {skipped} locked casebook(s) skipped" if skipped else "")
