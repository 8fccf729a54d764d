from __future__ import annotations

from django.utils import translation


class UserLanguageMiddleware:
    """A signed-in user sees the language they chose, on any device.

    Runs after LocaleMiddleware and authentication: the saved preference wins over the
    browser's Accept-Language header and the language cookie.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
