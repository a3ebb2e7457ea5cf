from django.contrib import admin

from forms.models import Deployment, FormVersion, Questionnaire


class ReadOnlyVersionInline(admin.TabularInline):
    model = FormVersion
    fields = ("version", "status", "created_by", "created_at", "published_by", "published_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:  # type: ignore[override]
        return False


class DeploymentInline(admin.TabularInline):
    model = Deployment
    fields = ("area", "deployed_by", "deployed_at")
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request: object, obj: object = None) -> bool:  # type: ignore[override]
        return False


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    """Read-only: questionnaires change only through the upload and publish pages."""

    list_display = ("form_id", "title", "status", "owner_area")
    readonly_fields = ("form_id", "title", "status", "owner_area", "created_by", "archived_at")
    inlines = [ReadOnlyVersionInline, DeploymentInline]

    def has_add_permission(self, request: object) -> bool:  # type: ignore[override]
        return False
