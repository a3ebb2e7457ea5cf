"""What a questionnaire's ``form_id`` and ``version`` may be.

Both end up in XML (the ``id`` and ``version`` attributes of the instance), in
URLs (``/questionnaires/<form_id>/versions/<version>/``, the phones'
``/forms/<form_id>/<version>/``) and in storage paths. One definition serves
the upload check and the URL patterns, so that every questionnaire that can be
created can also be opened, and nothing else can be asked for.
"""

import re

# An XML name (so Collect and Central accept it as the instance's id) restricted to what a
# Django slug matches: letters, digits, _ and -; it cannot start with a digit or a hyphen.
FORM_ID_PATTERN = r"[A-Za-z_][A-Za-z0-9_-]*"
# Letters, digits, ".", "-" and "_", starting with a letter or digit: no "/", no "..",
# nothing that must be encoded in a URL or changes the meaning of a storage path.
VERSION_PATTERN = r"[A-Za-z0-9](?:[A-Za-z0-9_-]|\.(?!\.))*"

_FORM_ID_RE = re.compile(FORM_ID_PATTERN)
_VERSION_RE = re.compile(VERSION_PATTERN)


def is_valid_form_id(value: str) -> bool:
    return _FORM_ID_RE.fullmatch(value) is not None


def is_valid_version(value: str) -> bool:
    return _VERSION_RE.fullmatch(value) is not None
