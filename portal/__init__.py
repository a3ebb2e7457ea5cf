"""The site around the apps: layout, home page, language, error pages, the audit trail pages."""
