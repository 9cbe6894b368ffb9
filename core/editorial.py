"""Editorial set-up: the groups, their permissions and the review workflow.

Groups exist on every install (created after migrate). Section pages (the blog
index, the articles index, the shop) declare which groups may do what inside
them through a `section_permissions` attribute; `configure_section()` grants
those permissions and, unless the page sets `section_workflow = False`,
assigns the "Editorial review" workflow, so a new section page type needs no
change here.
"""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

AUTHORS = "Authors"
EDITORS = "Editors"
MODERATORS = "Moderators"
SHOP_MANAGERS = "Shop managers"
ALL_GROUPS = (AUTHORS, EDITORS, MODERATORS, SHOP_MANAGERS)

# Page permission types (Wagtail's codenames without the model suffix).
WRITE = ("add", "change")
PUBLISH = ("add", "change", "publish", "lock", "unlock")

WORKFLOW_NAME = "Editorial review"
REVIEW_TASK_NAME = "Editors approval"

# Wagtail's initial data ships a "Moderators approval" workflow on the root
# page. Here "Moderators" moderate reader comments, not pages, so it is retired.
WAGTAIL_DEFAULT_WORKFLOW = "Moderators approval"

_COLLECTION_PERMISSIONS = {
    AUTHORS: [
        ("wagtailimages", "add_image"),
        ("wagtailimages", "choose_image"),
        ("wagtaildocs", "add_document"),
        ("wagtaildocs", "choose_document"),
    ],
    EDITORS: [
        ("wagtailimages", "add_image"),
        ("wagtailimages", "change_image"),
        ("wagtailimages", "choose_image"),
        ("wagtaildocs", "add_document"),
        ("wagtaildocs", "change_document"),
        ("wagtaildocs", "choose_document"),
    ],
    SHOP_MANAGERS: [
        ("wagtailimages", "add_image"),
        ("wagtailimages", "change_image"),
        ("wagtailimages", "choose_image"),
    ],
    MODERATORS: [],
}

# Model permissions granted outright (snippets and settings editors need).
_MODEL_PERMISSIONS = {
    AUTHORS: [],
    EDITORS: [
        ("blog", "add_author"),
        ("blog", "change_author"),
        ("blog", "add_blogcategory"),
        ("blog", "change_blogcategory"),
        ("blog", "add_series"),
        ("blog", "change_series"),
        # Chat rooms: create, edit and close them (see chat/rooms/admin_views.py).
        ("rooms", "add_room"),
        ("rooms", "change_room"),
    ],
    SHOP_MANAGERS: [
        ("shop", "add_stockadjustment"),
        ("shop", "view_stockadjustment"),
        # Orders: read them and move them along (status actions).
        ("shop", "view_order"),
        ("shop", "change_order"),
    ],
    MODERATORS: [
        ("community", "change_comment"),
        ("community", "view_ban"),
        ("community", "change_ban"),
        ("community", "delete_ban"),
        # Chat rooms: manage them, and delete any message live for everyone.
        ("rooms", "add_room"),
        ("rooms", "change_room"),
        ("rooms", "delete_roommessage"),
    ],
}


def _permission(app_label, codename):
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()


@transaction.atomic
def ensure_groups():
    """Create the editorial groups with admin access and media permissions."""
    access_admin = _permission("wagtailadmin", "access_admin")
    root_collection = Collection.get_first_root_node()
    groups = {}
    for name in ALL_GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        groups[name] = group
        if access_admin is not None:
            group.permissions.add(access_admin)
        for app_label, codename in _MODEL_PERMISSIONS[name]:
            permission = _permission(app_label, codename)
            if permission is not None:
                group.permissions.add(permission)
        if root_collection is None:
            continue
        for app_label, codename in _COLLECTION_PERMISSIONS[name]:
            permission = _permission(app_label, codename)
            if permission is not None:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=permission
                )
    # Moderators moderate comments; drop the page rights Wagtail's initial
    # data gave a group of the same name.
    GroupPagePermission.objects.filter(group=groups[MODERATORS]).delete()
    return groups


@transaction.atomic
def ensure_workflow():
    """The "Editorial review" workflow: one approval task for Editors."""
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    task = GroupApprovalTask.objects.filter(name=REVIEW_TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=REVIEW_TASK_NAME)
    task.groups.set([editors])
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    Workflow.objects.filter(name=WAGTAIL_DEFAULT_WORKFLOW).update(active=False)
    WorkflowPage.objects.filter(workflow__name=WAGTAIL_DEFAULT_WORKFLOW).delete()
    return workflow


@transaction.atomic
def configure_section(page):
    """Grant the page's declared group permissions and assign the workflow."""
    page = page.specific
    declared = getattr(page, "section_permissions", None)
    if not declared:
        return
    ensure_groups()
    workflow = ensure_workflow()
    base_page = Page.objects.get(pk=page.pk)
    for group_name, permission_types in declared.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for permission_type in permission_types:
            if not GroupPagePermission.objects.filter(
                group=group, page=base_page, permission__codename=f"{permission_type}_page"
            ).exists():
                GroupPagePermission.objects.create(
                    group=group, page=base_page, permission_type=permission_type
                )
    if getattr(page, "section_workflow", True):
        WorkflowPage.objects.update_or_create(page=base_page, defaults={"workflow": workflow})


def section_page_models():
    """Page models that declare `section_permissions`."""
    from wagtail.models import get_page_models

    return [model for model in get_page_models() if getattr(model, "section_permissions", None)]


def configure_all_sections():
    """Configure every existing section page (idempotent)."""
    count = 0
    for model in section_page_models():
        for page in model.objects.all():
            configure_section(page)
            count += 1
    return count


def setup_after_migrate(sender, app_config=None, **kwargs):
    """post_migrate receiver: set up groups and the workflow once per migrate.

    post_migrate fires once per app with a models module; acting on the last
    of those means every app's permissions exist by then (an app without
    models, such as the API, never gets the signal).
    """
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if app_config is not with_models[-1]:
        return
    ensure_groups()
    ensure_workflow()
    configure_all_sections()


def configure_new_section(sender, instance, created, raw=False, **kwargs):
    """post_save receiver for section page models: configure them on creation,
    in the same transaction, so whoever created the section can use it at once."""
    if created and not raw:
        configure_section(instance)
