"""What the AI pipeline stores: page chunks with embeddings, page vectors for
related content, a version counter for in-process indexes, and suggested tags.

Nothing here is part of a page's revisions: indexing and tagging never create
a revision and never trigger a publish.
"""

import secrets

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F
from django.utils import timezone
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from ai.fields import EmbeddingField
from core.after_commit import after_commit
from core.content_cache import (
    bump_content_version,
    cached,
    forget_in_request,
    once_per_request,
)

EMBEDDING_DIMENSIONS = 384


class Chunk(models.Model):
    """A passage of a live, public page, embedded for retrieval."""

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="ai_chunks")
    # The page's specific type, so a page-type scope needs no join.
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveIntegerField()
    heading_path = models.JSONField(default=list, blank=True)
    anchor = models.CharField(max_length=80, blank=True)
    text = models.TextField()
    token_count = models.PositiveIntegerField()
    embedding = EmbeddingField(dimensions=EMBEDDING_DIMENSIONS)

    class Meta:
        ordering = ["page_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["page", "position"], name="ai_chunk_page_position")
        ]
        indexes = [models.Index(fields=["content_type"], name="ai_chunk_content_type")]

    def __str__(self):
        return f"{self.page_id}#{self.position}"


class PageVector(models.Model):
    """One vector per indexed page (the mean of its chunks), for related content."""

    page = models.OneToOneField(
        "wagtailcore.Page", on_delete=models.CASCADE, primary_key=True, related_name="ai_vector"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    chunk_count = models.PositiveIntegerField(default=0)
    embedding = EmbeddingField(dimensions=EMBEDDING_DIMENSIONS)
    indexed_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"vector of page {self.page_id}"


INDEX_VERSION_READ = "ai-index-version"


class IndexVersion(models.Model):
    """A counter bumped whenever chunks or page vectors change.

    In-process (NumPy) indexes compare it on each query, so a web process
    notices what a worker wrote with one cheap query.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    counter = models.BigIntegerField(default=0)

    def __str__(self):
        return f"index version {self.counter}"

    @classmethod
    def bump(cls):
        """Mark the index as changed (call inside the transaction that changed it).

        Cached page fragments that show AI results (related content) are
        keyed by the site's content version, so it moves on as well.
        """
        forget_in_request(INDEX_VERSION_READ)
        updated = cls.objects.filter(pk=1).update(counter=F("counter") + 1)
        if not updated:
            # A new row starts at a random value, so a process that cached the
            # index of an earlier database (restored, or a test's) can never
            # mistake it for this one.
            cls.objects.get_or_create(pk=1, defaults={"counter": secrets.randbits(48)})
        after_commit(bump_content_version)

    @classmethod
    def current(cls):
        """The current counter (0 before anything was indexed); read once per
        request (a search asks for it twice), again after the request bumps it."""
        return once_per_request(INDEX_VERSION_READ, cls.read)

    @classmethod
    def read(cls):
        """The current counter, from the database."""
        return cls.objects.filter(pk=1).values_list("counter", flat=True).first() or 0


class AITagQuerySet(models.QuerySet):
    def visible(self):
        """Tags readers see: suggested or accepted, never rejected."""
        return self.exclude(status=AITag.Status.REJECTED)

    def for_readers(self):
        """Tags readers see: accepted ones, and unreviewed suggestions scoring
        at least AI_TAG_READER_CONFIDENCE, except on sites whose AI tag
        settings (or AI_TAGS_NEED_ACCEPTANCE, for every site) ask for an
        editor's acceptance."""
        accepted = models.Q(status=AITag.Status.ACCEPTED)
        if settings.AI_TAGS_NEED_ACCEPTANCE:
            return self.filter(accepted)
        confident = models.Q(
            status=AITag.Status.SUGGESTED, score__gte=settings.AI_TAG_READER_CONFIDENCE
        )
        for root_path in AITagSettings.roots_needing_acceptance():
            confident &= ~models.Q(page__path__startswith=root_path)
        return self.filter(accepted | confident)


@register_setting(icon="tag")
class AITagSettings(BaseSiteSetting):
    """Per-site choices about the AI's tags, in Settings > AI tag settings."""

    tags_need_acceptance = models.BooleanField(
        "AI tags need an editor's acceptance",
        default=False,
        help_text=(
            "Readers of this site see only the AI tags an editor accepted; the "
            "others stay suggestions in the page editor. When off, confident "
            "suggestions are shown at once."
        ),
    )

    panels = [FieldPanel("tags_need_acceptance")]

    class Meta:
        verbose_name = "AI tag settings"

    @classmethod
    def roots_needing_acceptance(cls):
        """Root page paths of the sites whose AI tags need acceptance, read
        once per content version (a change bumps it, see ai/apps.py)."""

        def read():
            needing = cls.objects.filter(tags_need_acceptance=True)
            return tuple(needing.values_list("site__root_page__path", flat=True))

        return cached("ai-tag-acceptance", read)


class AITag(models.Model):
    """A tag the AI suggested for a page, with its provenance and the editor's decision.

    Editor tags live on the page itself (in its revisions); these never do,
    so suggesting, accepting or rejecting one creates no revision. A rejected
    tag stays here so it is never suggested again for that page.
    """

    class Status(models.TextChoices):
        SUGGESTED = "suggested", "Suggested"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    class Source(models.TextChoices):
        LLM = "llm", "Language model"
        KEYPHRASE = "keyphrase", "Keyphrase extraction"

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="ai_tags")
    tag = models.ForeignKey("taggit.Tag", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUGGESTED)
    source = models.CharField(max_length=12, choices=Source.choices)
    score = models.FloatField(null=True, blank=True)
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = AITagQuerySet.as_manager()

    class Meta:
        ordering = ["page_id", "-score", "tag__name"]
        constraints = [models.UniqueConstraint(fields=["page", "tag"], name="ai_tag_page_tag")]
        verbose_name = "AI tag"

    def __str__(self):
        return f"{self.tag} ({self.get_status_display()}) on page {self.page_id}"


class IndexJob(models.Model):
    """What the AI still owes one page: indexing it, or tagging it.

    One row per page and kind, written in the transaction that published,
    unpublished, moved or restricted the page (`ai.jobs.record`), so the debt
    exists exactly when the change does, whichever process made it. A
    dispatcher sends it to Celery after the commit; a sweeper sends whatever
    is due and not done again (`ai.jobs.sweep`). `revision` is the revision
    the work was recorded for: a message for another revision, or for work
    already done, does nothing.
    """

    class Kind(models.TextChoices):
        INDEX = "index", "Index"
        TAG = "tag", "Tags"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="ai_jobs")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # What the last run did: an index outcome ("indexed", "removed", ...) or
    # the tagger that produced the tags ("llm", "keyphrase").
    outcome = models.CharField(max_length=20, blank=True)
    chunks = models.PositiveIntegerField(null=True, blank=True)
    # When the sweeper may (re)send it; a worker holds it until claimed_until.
    due_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    # Set on every new request: a run finishes the job only if no newer
    # request came in while it worked.
    requested_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["page", "kind"], name="ai_indexjob_page_kind")
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="ai_indexjob_due")]
        verbose_name = "AI index job"

    def __str__(self):
        return f"{self.kind} page {self.page_id} ({self.status})"

    @property
    def is_running(self):
        """Whether a worker holds the job right now."""
        return self.claimed_until is not None and self.claimed_until > timezone.now()
