from django.urls import path

from . import org_views

urlpatterns = [
    path("archive/", org_views.organisation_archive_page, name="organisation-archive"),
    path(
        "archive/<int:archive_id>/download/",
        org_views.organisation_archive_download,
        name="organisation-archive-download",
    ),
    path("leave-platform/", org_views.leave_platform, name="organisation-leave-platform"),
]
