"""Send the daily notification digest now (for cron in the embedded mode)."""

from django.core.management.base import BaseCommand

from notifications.tasks import send_daily_digest


class Command(BaseCommand):
    help = "Email every user their unread notifications chosen for the daily digest."

    def handle(self, *args, **options):
        sent = send_daily_digest()
        self.stdout.write(f"Sent {sent} digest emails.")
