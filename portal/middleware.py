"""Which language a response speaks."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

# ODK Collect's endpoints (collector_api/urls.py): two exact paths and three prefixes that
# no page shares. An exact "/submission", since the page "/submissions/" begins with it.
# tests/portal/test_page_language.py checks that every URL of collector_api matches.
_OPENROSA_PATHS = frozenset({"/formList", "/submission"})
_OPENROSA_PREFIXES = ("/forms/", "/key/", "/draft/")


def is_openrosa_path(path: str) -> bool:
    """Whether ``path`` is one of ODK Collect's endpoints.

    Asked on every request, so without the URL resolver, which would cost a
    phone's POST a tenth of its time.
    """
    return path in _OPENROSA_PATHS or path.startswith(_OPENROSA_PREFIXES)


class SrsLocaleMiddleware(LocaleMiddleware):
    """Indonesian unless the person chose otherwise with the language switch.

    The web pages ignore the browser's Accept-Language (many Indonesian office
    computers send English); ODK Collect's requests follow it, since that is
    how the phone's language reaches the server, and so do the API's (under
    ``/api/``), whose clients are programs that say which language they want
    (the language switch's cookie first, for a signed-in browser session).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)

    def process_request(self, request: HttpRequest) -> None:
        if is_openrosa_path(request.path_info) or request.path_info.startswith("/api/"):
            language = translation.get_language_from_request(request)
        else:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            supported = {code for code, _name in settings.LANGUAGES}
            language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
