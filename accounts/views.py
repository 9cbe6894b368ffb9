"""Profile pages: the reader's own editor, account deletion and the public
profile at /people/<username>/."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.deletion import can_self_delete, delete_account
from accounts.forms import DeleteAccountForm, ProfileForm
from accounts.profiles import profile_for, update_profile
from accounts.public_profile import authored_pages, public_comments_page
from accounts.staff import public_profile_owners


@login_required
@require_http_methods(["GET", "POST"])
def edit_profile(request):
    profile = profile_for(request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            update_profile(
                profile,
                display_name=data["display_name"],
                bio=data["bio"],
                avatar=data["avatar"] or None,
                remove_avatar=data["remove_avatar"],
            )
            messages.success(request, "Your profile is saved.")
            return redirect("accounts_profile")
    else:
        form = ProfileForm(initial={"display_name": profile.display_name, "bio": profile.bio})
    return render(request, "accounts/profile_form.html", {"form": form, "profile": profile})


@login_required
@require_http_methods(["GET", "POST"])
def delete_own_account(request):
    user = request.user
    allowed = can_self_delete(user)
    form = DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST" and allowed and form.is_valid():
        delete_account(user)
        logout(request)
        messages.success(request, "Your account and personal data are deleted. Goodbye.")
        return redirect("/")
    return render(
        request,
        "accounts/delete_account.html",
        {"form": form, "allowed": allowed},
        status=403 if request.method == "POST" and not allowed else 200,
    )


def public_profile(request, username):
    # Staff have none: their usernames are admin login names (404, as for
    # a name nobody has).
    user = get_object_or_404(public_profile_owners().select_related("profile"), username=username)
    return render(
        request,
        "accounts/public_profile.html",
        {
            "person": user,
            "comments": public_comments_page(request, user),
            "pages": authored_pages(user),
        },
    )
