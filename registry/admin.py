from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from registry.models import Area, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    autocomplete_fields = ["area"]


@admin.register(User)
class SrsUserAdmin(UserAdmin):
    inlines = [RoleAssignmentInline]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("SRS", {"fields": ("phone_number", "preferred_language")}),
    )
    list_display = ("username", "first_name", "last_name", "is_active", "is_superuser")


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    ordering = ("code",)

    def has_add_permission(self, request: object) -> bool:  # type: ignore[override]
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:  # type: ignore[override]
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:  # type: ignore[override]
        return False
