"""Which language a response speaks."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

# ODK Collect's paths: the enumerator's phone says which language it wants.
_OPENROSA_PREFIXES = ("/formList", "/submission", "/forms/", "/key/")


class SrsLocaleMiddleware(LocaleMiddleware):
    """Indonesian unless the person chose otherwise with the language switch.

    The web pages ignore the browser's Accept-Language (many Indonesian office
    computers send English); ODK Collect's requests follow it, since that is
    how the phone's language reaches the server.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith(_OPENROSA_PREFIXES):
            language = translation.get_language_from_request(request)
        else:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            supported = {code for code, _name in settings.LANGUAGES}
            language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
