"""The editorial workflow, driven through the Wagtail admin as each role."""

import pytest
from django.urls import reverse
from wagtail.models import Page, Workflow, WorkflowState

from blog.models import PostPage
from core.editorial import REVIEW_TASK_NAME, WORKFLOW_NAME
from tests.admin_forms import post_form_data
from tests.factories import BlogIndexPageFactory, PostPageFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def blog():
    return BlogIndexPageFactory(slug="blog")


@pytest.fixture
def author():
    return UserFactory(username="writer", groups=["Authors"])


@pytest.fixture
def editor():
    return UserFactory(username="chief", groups=["Editors"])


def add_url(parent):
    return reverse("wagtailadmin_pages:add", args=("blog", "postpage", parent.pk))


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


def workflow_action_url(page, action):
    state = WorkflowState.objects.get(object_id=str(page.pk), status="in_progress")
    return reverse(
        "wagtailadmin_pages:workflow_action",
        args=(page.pk, action, state.current_task_state.pk),
    )


def test_sections_get_the_editorial_review_workflow(blog):
    workflow = Page.objects.get(pk=blog.pk).get_workflow()
    assert workflow.name == WORKFLOW_NAME
    assert [task.name for task in workflow.tasks] == [REVIEW_TASK_NAME]
    assert [group.name for group in workflow.tasks[0].specific.groups.all()] == ["Editors"]
    # Wagtail's stock workflow (for its own "Moderators" group) is retired.
    assert not Workflow.objects.filter(name="Moderators approval", active=True).exists()


def test_author_submits_editor_approves_page_goes_live(client, blog, author, editor):
    client.force_login(author)
    response = client.post(add_url(blog), post_form_data("Harbour at dawn", "harbour", "submit"))
    assert response.status_code == 302, response.content[:2000]
    post = PostPage.objects.get(slug="harbour")
    assert not post.live
    assert post.workflow_in_progress
    assert post.owner == author

    client.force_login(editor)
    response = client.post(workflow_action_url(post, "approve"), {"comment": "Lovely."})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.live
    assert post.live_revision.user == author
    assert not post.workflow_in_progress

    reader = client.__class__()
    html = reader.get(post.url).content.decode()
    assert "Harbour at dawn" in html
    assert "Words worth quoting." in html


def test_author_has_no_publish_action_and_a_forged_publish_is_refused(client, blog, author):
    client.force_login(author)
    client.post(add_url(blog), post_form_data("Forged", "forged"))
    post = PostPage.objects.get(slug="forged")
    html = client.get(edit_url(post)).content.decode()
    assert 'name="action-submit"' in html
    assert 'name="action-publish"' not in html

    response = client.post(edit_url(post), post_form_data("Forged", "forged", "publish"))
    assert response.status_code == 302
    post.refresh_from_db()
    assert not post.live
    assert post.live_revision is None
    assert post.revisions.count() == 2  # saved as a draft, nothing more


def test_editor_can_publish_directly(client, blog, editor):
    client.force_login(editor)
    html = client.get(add_url(blog)).content.decode()
    assert 'name="action-publish"' in html
    client.post(add_url(blog), post_form_data("Straight out", "straight", "publish"))
    assert PostPage.objects.get(slug="straight").live


def test_rejection_returns_the_page_to_the_author_with_the_comment(client, blog, author, editor):
    client.force_login(author)
    client.post(add_url(blog), post_form_data("Rough draft", "rough", "submit"))
    post = PostPage.objects.get(slug="rough")

    client.force_login(editor)
    client.post(workflow_action_url(post, "reject"), {"comment": "Needs a stronger ending."})
    post.refresh_from_db()
    assert not post.live
    state = WorkflowState.objects.get(object_id=str(post.pk))
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert state.current_task_state.comment == "Needs a stronger ending."

    client.force_login(author)
    html = client.get(edit_url(post)).content.decode()
    assert "Needs a stronger ending." in html
    # The author can resubmit once the changes are made.
    assert 'name="action-restart-workflow"' in html


def test_authors_cannot_write_in_the_shop(client, author):
    from tests.factories import ShopIndexPageFactory

    shop = ShopIndexPageFactory()
    client.force_login(author)
    url = reverse("wagtailadmin_pages:add_subpage", args=(shop.pk,))
    assert client.get(url).status_code in (302, 403)


def test_revision_compare_and_revert_views_work_for_editors(client, blog, editor):
    post = PostPageFactory(parent=blog, title="Version one")
    post.save_revision(user=editor).publish()
    first = post.latest_revision
    post.title = "Version two"
    post.save_revision(user=editor).publish()
    client.force_login(editor)

    compare = reverse("wagtailadmin_pages:revisions_compare", args=(post.pk, first.pk, "latest"))
    html = client.get(compare).content.decode()
    assert 'Version <span class="deletion">one</span><span class="addition">two</span>' in html

    revert = reverse("wagtailadmin_pages:revisions_revert", args=(post.pk, first.pk))
    html = client.get(revert).content.decode()
    assert 'value="Version one"' in html


def test_editors_can_lock_pages(client, blog, editor, author):
    post = PostPageFactory(parent=blog, title="Lock me")
    client.force_login(editor)
    response = client.post(reverse("wagtailadmin_pages:lock", args=(post.pk,)))
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.locked and post.locked_by == editor
