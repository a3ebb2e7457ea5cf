"""The OpenAPI schema of /api/v1/ (drf-spectacular): token auth and the error shape.

Every operation answers errors as portal.api_errors maps them, ``{"code",
"detail"}``; ``ApiSchema`` adds those responses to each operation once here
instead of in every view. ``ApiTokenScheme`` describes
``accounts.api_tokens.ApiTokenAuthentication`` (``Authorization: Token <key>``).
"""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import serializers
from rest_framework.permissions import AllowAny

_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ApiProblemSerializer(serializers.Serializer[None]):
    message = serializers.CharField()
    sheet = serializers.CharField(allow_null=True)
    row = serializers.IntegerField(allow_null=True)
    original = serializers.CharField(allow_null=True)
    code = serializers.CharField()


class ApiErrorSerializer(serializers.Serializer[None]):
    """What every refusal and error of the API looks like."""

    code = serializers.CharField(help_text="Stable, for programs: e.g. not_found, moved_on.")
    detail = serializers.CharField(help_text="For people, in the request's language.")
    problems = ApiProblemSerializer(
        many=True, required=False, help_text="XLSForm problems (questionnaire uploads only)."
    )
    field_errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="code invalid: what is wrong with each field sent.",
    )


class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "accounts.api_tokens.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, str]:
        definition = build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix="Token"
        )
        definition["description"] = (
            "`Authorization: Token <key>`, the key from POST /api/v1/auth/token/."
        )
        return definition


class ApiSchema(AutoSchema):
    """drf-spectacular's schema, with the ``{"code", "detail"}`` errors of each operation."""

    def _error_statuses(self) -> list[str]:
        statuses = []
        if self.method in _WRITES:
            statuses += ["400", "422"]
        if not any(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            statuses += ["401", "403"]
        if "{" in self.path:
            statuses.append("404")
        # A view names the errors of its own, e.g. 409 for a decision that came too late.
        statuses += list(getattr(self.view, "error_statuses", ()))
        return statuses

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for status in self._error_statuses():
            if status not in responses:
                responses[status] = self._get_response_for_code(
                    ApiErrorSerializer, status, ["application/json"], direction
                )
        return responses
