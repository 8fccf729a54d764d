"""The signed-in person's notifications: the list, opening one (marks it read), marking all
read, choosing per kind how to be told, and the signed one-click unsubscribe link of e-mails."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from organisations.models import User

from .choices import Channel
from .forms import PreferencesForm
from .kinds import get_kind
from .models import Notification
from .services import (
    notification_open,
    notifications_mark_all_read,
    preference_set,
    preferences_of,
    unsubscribe_target,
)

PAGE_SIZE = 25


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """Newest first, a page at a time: two queries (the count, the page), whatever the page."""
    notifications = Notification.objects.for_user(request.user).order_by("-created_at", "-pk")
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
def notification_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark it read and follow its link (someone else's is not found)."""
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    url = notification_open(user=request.user, notification=notification)
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        url = "/"  # a stored link is always a path of this site; anything else goes home
    return redirect(url)


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notifications_mark_all_read(user=request.user)
    messages.success(request, _("Every notification is marked read."))
    return redirect("notifications")


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, current=preferences_of(request.user))
    if request.method == "POST" and form.is_valid():
        for kind, channel in form.cleaned_data.items():
            preference_set(user=request.user, kind=kind, channel=channel)
        messages.success(request, _("Your notification choices are saved."))
        return redirect("notification-preferences")
    return render(request, "notifications/preferences.html", {"form": form})


# Mail programs post the one-click unsubscribe (RFC 8058) without any cookie: the signed token
# is the authority, and all it can do is turn one kind off for one person.
@csrf_exempt
def notification_unsubscribe(request: HttpRequest, unsubscribe_token: str) -> HttpResponse:
    """GET asks to confirm (link scanners must not unsubscribe anyone); POST turns it off."""
    target = unsubscribe_target(unsubscribe_token)
    if target is None:
        raise Http404("No such link.")
    user = get_object_or_404(User, pk=target[0], is_active=True)
    kind = get_kind(target[1])
    done = request.method == "POST"
    if done:
        preference_set(user=user, kind=kind.key, channel=Channel.NONE)
    elif request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    return render(request, "notifications/unsubscribe.html", {"kind": kind, "done": done})
