"""Admin registrations for the community: the moderation queue and bans."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from community.admin_views import CommunityViewSetGroup, NoAddPermissionPolicy
from community.models import Ban, Comment

# Registered before any viewset asks for a policy (Wagtail's requirement).
for model in (Comment, Ban):
    register_permission_policy(model, NoAddPermissionPolicy(model), exact_class=True)


@hooks.register("register_admin_viewset")
def register_community_viewsets():
    return CommunityViewSetGroup()
