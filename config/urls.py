from django.contrib import admin
from django.urls import include, path

from organisations import views as organisation_views

urlpatterns = [
    path("", organisation_views.home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/join/<str:token>/", organisation_views.join, name="join"),
    path("accounts/profile/", organisation_views.profile, name="profile"),
    path("language/", organisation_views.language, name="set_language"),
    path("o/<slug:org_slug>/", include("organisations.urls")),
    path("o/<slug:org_slug>/", include("partnerships.urls")),
    path("admin/", admin.site.urls),
]
