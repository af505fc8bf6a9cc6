"""Request middleware of Helhedsplan."""

from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    """Danish unless the user has chosen another language with the language switch.

    Django's LocaleMiddleware follows the browser's Accept-Language header; an English
    browser on a Danish office PC would then turn the application English for a user who
    never asked for it. Only the language cookie, set by the switch, counts here.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.available:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
