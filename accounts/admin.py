from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from accounts.access import ROLE_LEVELS
from accounts.errors import RoleLevelMismatch
from accounts.models import Role, RoleAssignment, User
from accounts.staff import (
    account_facts,
    assign_role,
    record_account_saved,
    record_password_set,
    remove_role,
)
from areas.models import AreaLevel


class RoleAssignmentForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = RoleAssignment
        fields = ["role", "area"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role, area = data.get("role"), data.get("area")
        if role and (area.level if area else None) not in ROLE_LEVELS[role]:
            level = AreaLevel(area.level).label if area else "country"
            raise forms.ValidationError(
                str(RoleLevelMismatch(role=Role(role).label, level=level).detail)
            )
        return data


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    form = RoleAssignmentForm
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

    @staticmethod
    def _actor(request: HttpRequest) -> User | None:
        return request.user if isinstance(request.user, User) else None

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """Every change of an account (a deactivation included) gets its audit record."""
        before = None
        if change and obj.pk is not None:
            stored = User.objects.filter(pk=obj.pk).first()
            before = account_facts(stored) if stored is not None else None
        super().save_model(request, obj, form, change)
        record_account_saved(user=obj, before=before, changed_by=self._actor(request))
        if not change and obj.has_usable_password():
            record_password_set(user=obj, changed_by=self._actor(request))

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """The admin's password form, with the change and its audit record in one transaction."""
        with transaction.atomic():
            request._srs_password_form = True  # type: ignore[attr-defined]
            return super().user_change_password(request, id, form_url)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        if getattr(request, "_srs_password_form", False) and request.method == "POST":
            record_password_set(user=obj, changed_by=self._actor(request))
        return super().log_change(request, obj, message)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Roles change through accounts.staff, so that each change has its audit record."""
        if formset.model is not RoleAssignment:
            super().save_formset(request, form, formset, change)
            return
        actor = request.user if isinstance(request.user, User) else None
        changed = formset.save(commit=False)
        for assignment in formset.deleted_objects:
            remove_role(assignment=assignment, removed_by=actor)
        for assignment in changed:
            if assignment.pk is not None:
                remove_role(
                    assignment=RoleAssignment.objects.get(pk=assignment.pk), removed_by=actor
                )
            assign_role(
                user=form.instance, role=assignment.role, area=assignment.area, assigned_by=actor
            )
