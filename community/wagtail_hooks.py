"""Admin registrations for the community: the moderation queue and bans."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from community.admin_views import CommentPermissionPolicy, CommunityViewSetGroup
from community.models import Comment

# Registered before any viewset asks for a policy (Wagtail's requirement).
register_permission_policy(Comment, CommentPermissionPolicy(Comment), exact_class=True)


@hooks.register("register_admin_viewset")
def register_community_viewsets():
    return CommunityViewSetGroup()
