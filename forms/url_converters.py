"""The path converters ``<fid:form_id>`` and ``<ver:version>``: exactly what an upload allows.

Importing this module registers them (once: Python imports a module once).
"""

from django.urls import register_converter

from forms.identifiers import FORM_ID_PATTERN, VERSION_PATTERN


class FormIdConverter:
    regex = FORM_ID_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class VersionConverter:
    regex = VERSION_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormIdConverter, "fid")
register_converter(VersionConverter, "ver")
