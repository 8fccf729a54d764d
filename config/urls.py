from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from core.api.docs import ApiDocsView
from core.healthz import healthz
from organisations import views as organisation_views
from organisations.api.urls import urlpatterns as organisation_api
from organisations.throttle import limit_posts, password_reset_limit, sign_in_limit
from partnerships.api.urls import urlpatterns as partnership_api
from partnerships.views import partner_invitations

urlpatterns = [
    path("", organisation_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    # Each reset request sends an e-mail: a few an hour per address (PASSWORD_RESET_LIMIT).
    path(
        "accounts/password_reset/",
        limit_posts("password-reset", password_reset_limit)(auth_views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    # Password spraying (a few tries on each of many usernames) slips under the per-username
    # lockout: a generous cap per address on top (SIGN_IN_LIMIT per 15 minutes).
    path(
        "accounts/login/",
        limit_posts("sign-in", sign_in_limit, period=15 * 60)(auth_views.LoginView.as_view()),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/join/<slug:token>/", organisation_views.join, name="join"),
    path("accounts/profile/", organisation_views.profile, name="profile"),
    path(
        "accounts/partner-invitations/<slug:invitation_token>/",
        partner_invitations.landing,
        name="partner-invitation",
    ),
    path("accounts/invitations/", include("organisations.account_urls")),
    path("accounts/organisations/", include("organisations.signup_urls")),
    path("language/", organisation_views.language, name="set_language"),
    path("o/<slug:org_slug>/", include("organisations.urls")),
    path("o/<slug:org_slug>/", include("partnerships.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(([*organisation_api, *partnership_api], "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
]
