"""The base of every domain error.

An error carries a stable ``code`` for programs, logs and tests, a
translatable ``message`` for people and the ``http_status`` each interface
answers with (a page, the API's ``{"code", "detail"}``, an OpenRosa message).
Subclasses set them as class attributes and may pass named parameters that
fill the message's placeholders.
"""

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code: str = "error"
    message: str | Promise = _("Something went wrong.")
    http_status: int = 422

    def __init__(self, message: str | Promise | None = None, **params: Any) -> None:
        if message is not None:
            self.message = message
        self.params = params
        super().__init__(self.code)

    @property
    def detail(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"
