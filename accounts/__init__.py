"""People who sign in, their roles by area, and the one permission check (access)."""
