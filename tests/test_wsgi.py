"""The WSGI application as gunicorn calls it: headers Django cannot read are no 500."""

import io

import pytest

from srs.wsgi import application


@pytest.fixture
def keep_test_connection():
    """As Django's test client does: the request's end must not close the test's connection."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _call(content_type: str, path: str = "/submission") -> str:
    body = b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n'
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": "localhost",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
    }
    statuses = []
    b"".join(application(environ, lambda status, headers, *_: statuses.append(status)))
    return statuses[0]


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data; boundary*=bogus''x",
        "text/plain; charset*=x-unknown''abc",
        "multipart/form-data; boundary*=utf-8''%FF%FE",
    ],
)
@pytest.mark.django_db
def test_a_content_type_with_unreadable_parameters_is_refused_not_a_500(
    content_type, keep_test_connection
):
    for path in ("/submission", "/accounts/login/", "/api/v1/auth/token/"):
        status = _call(content_type, path)
        assert not status.startswith("5"), (path, status)
