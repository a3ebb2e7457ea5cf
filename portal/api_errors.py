"""Maps domain errors to DRF responses of the shape {"code", "detail"}."""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler

from foundation.errors import DomainError


def domain_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        status = getattr(exc, "http_status", 422)
        body: dict[str, Any] = {"code": exc.code, "detail": exc.detail}
        problems = getattr(exc, "problems", None)
        if problems:
            body["problems"] = [problem.as_dict() for problem in problems]
        answer = Response(body, status=status)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after:  # a refusal for too many (429) says when to try again
            answer["Retry-After"] = str(retry_after)
        return answer
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError) and not (
        isinstance(response.data, dict) and set(response.data) == {"detail"}
    ):
        # A serializer's errors, by field: the same shape as every error, the fields beside.
        response.data = {
            "code": "invalid",
            "detail": _("Some fields are missing or wrong."),
            "field_errors": response.data,
        }
    elif isinstance(response.data, dict) and "detail" in response.data:
        code = getattr(response.data["detail"], "code", "error")
        response.data = {"code": code, "detail": str(response.data["detail"])}
    return response
