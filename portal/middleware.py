"""Which language a response speaks."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.urls import Resolver404, resolve
from django.utils import translation

# ODK Collect's endpoints: every URL of this namespace speaks OpenRosa to a phone.
_OPENROSA_NAMESPACE = "collector_api"
# Where they can begin; only such paths are worth asking the resolver about.
_OPENROSA_STARTS = ("/formList", "/submission", "/forms/", "/key/", "/draft/")


def is_openrosa_path(path: str) -> bool:
    """Whether ``path`` is one of ODK Collect's endpoints, as the URL resolver says.

    The resolver, not a prefix: ``/submissions/`` is a page although it begins
    with ``/submission``. (Nothing is remembered per path: access-link paths
    carry their token.)
    """
    if not path.startswith(_OPENROSA_STARTS):
        return False
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return _OPENROSA_NAMESPACE in match.namespaces


class SrsLocaleMiddleware(LocaleMiddleware):
    """Indonesian unless the person chose otherwise with the language switch.

    The web pages ignore the browser's Accept-Language (many Indonesian office
    computers send English); ODK Collect's requests follow it, since that is
    how the phone's language reaches the server.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)

    def process_request(self, request: HttpRequest) -> None:
        if is_openrosa_path(request.path_info):
            language = translation.get_language_from_request(request)
        else:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            supported = {code for code, _name in settings.LANGUAGES}
            language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
