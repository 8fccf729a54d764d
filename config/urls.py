from allauth.account import views as account_views
from django.contrib import admin
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from core.api.docs import ApiDocsView
from core.healthz import healthz
from core.styleguide import styleguide
from notifications.api import urlpatterns as notification_api
from organisations import views as organisation_views
from organisations.api.urls import urlpatterns as organisation_api
from organisations.throttle import limit_posts, password_reset_limit, sign_in_limit
from partnerships.api.urls import urlpatterns as partnership_api
from partnerships.views import partner_invitations
from privacy.api import urlpatterns as privacy_api


def moved(old: str, new: str, name: str):
    """A page of Django's former sign-in views, sent on to allauth's (bookmarks, old e-mails)."""
    view = RedirectView.as_view(url=reverse_lazy(new), permanent=True, query_string=True)
    return path(old, view, name=name)


# The reset link of an e-mail sent before the move has a token allauth cannot read: it leads to
# asking for a new link.
moved_account_pages = [
    moved("accounts/password_change/", "account_change_password", "moved-password-change"),
    moved("accounts/password_change/done/", "account_change_password", "moved-password-changed"),
    moved("accounts/password_reset/", "account_reset_password", "moved-password-reset"),
    moved("accounts/password_reset/done/", "account_reset_password_done", "moved-reset-sent"),
    moved("accounts/reset/<uidb64>/<token>/", "account_reset_password", "moved-reset-link"),
    moved("accounts/reset/done/", "account_login", "moved-reset-done"),
]

urlpatterns = [
    path("", organisation_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("styleguide/", styleguide, name="styleguide"),
    # Each reset request sends an e-mail: a few an hour per address (PASSWORD_RESET_LIMIT).
    path(
        "accounts/password/reset/",
        limit_posts("password-reset", password_reset_limit)(
            account_views.PasswordResetView.as_view()
        ),
        name="account_reset_password",
    ),
    # Password spraying (a few tries on each of many usernames) slips under the per-account
    # lockout: a generous cap per address on top (SIGN_IN_LIMIT per 15 minutes).
    path(
        "accounts/login/",
        limit_posts("sign-in", sign_in_limit, period=15 * 60)(account_views.LoginView.as_view()),
        name="account_login",
    ),
    *moved_account_pages,
    path("", include("privacy.urls")),
    path("accounts/", include("allauth.urls")),
    path("accounts/join/<slug:token>/", organisation_views.join, name="join"),
    path("accounts/profile/", organisation_views.profile, name="profile"),
    path(
        "accounts/partner-invitations/<slug:invitation_token>/",
        partner_invitations.landing,
        name="partner-invitation",
    ),
    path("accounts/invitations/", include("organisations.account_urls")),
    path("accounts/notifications/", include("notifications.urls")),
    path("accounts/organisations/", include("organisations.signup_urls")),
    path("language/", organisation_views.language, name="set_language"),
    path("o/<slug:org_slug>/", include("organisations.urls")),
    path("o/<slug:org_slug>/", include("partnerships.urls")),
    path("o/<slug:org_slug>/", include("privacy.org_urls")),
    path("admin/", admin.site.urls),
    path(
        "api/v1/",
        include(([*organisation_api, *partnership_api, *notification_api, *privacy_api], "api")),
    ),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
]

# Under /api/ JSON, elsewhere pages in the app's look (core/error_pages.py).
handler400 = "core.error_pages.bad_request"
handler403 = "core.error_pages.permission_denied"
handler404 = "core.error_pages.page_not_found"
# A database that does not answer is a 503 (core/unavailable.py), any other error the 500 page.
handler500 = "core.unavailable.server_error"
