"""The bottom layer: what every app may use and which depends on no app.

``errors.DomainError`` (a code, a translated message, an HTTP status) and
``xml.parse_xml`` (the one hardened XML reader).
"""
