from django.core.management.base import BaseCommand

from safety.services import dlt_candidates_refresh
from screening.models import Subject


class Command(BaseCommand):
    help = (
        "Run daily: flags DLT candidates whose clause depends on time (grade 3 CRS past 72 h, "
        "an AE lasting more than 7 days) for every enrolled subject."
    )

    def handle(self, *args, **options):
        flagged = 0
        for subject in Subject.objects.filter(enrollment__isnull=False).select_related("site"):
            flagged += len(dlt_candidates_refresh(subject=subject, user=None))
        self.stdout.write(f"{flagged} new DLT candidate(s) flagged")
