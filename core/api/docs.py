"""The API's documentation page (Swagger UI) under the site's Content-Security-Policy.

drf-spectacular's split view serves the start-up script from a URL instead of inline, and our
copy of its template (templates/drf_spectacular/swagger_ui.html) links its stylesheet instead of
an inline <style>. Swagger UI draws its icons as data: SVG images: this page alone allows
images from data: URLs, which cannot run scripts.
"""

from __future__ import annotations

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularSwaggerSplitView


@method_decorator(csp_update({"img-src": ["data:"]}), name="get")
class ApiDocsView(SpectacularSwaggerSplitView):
    pass
