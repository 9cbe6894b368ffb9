"""Core's one table: Celery tasks waiting for the broker to come back."""

from django.db import models


class ParkedTask(models.Model):
    """A task queued after a commit while the broker was unreachable.

    The commit stands (a publish, an order, a comment); the task is kept here
    and `core.tasks.resend_parked_tasks` (Celery beat, every minute) sends it
    once the broker answers, so a Redis restart loses no email.
    """

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    parked_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["parked_at", "pk"]

    def __str__(self):
        return f"{self.task_name} (parked {self.parked_at:%Y-%m-%d %H:%M})"
