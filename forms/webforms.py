"""Django forms (input shapes) for the questionnaire pages."""

from django import forms as django_forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from areas.models import Area


class WorkbookUploadForm(django_forms.Form):
    # An empty file is refused by forms.xlsform, with the same message as every other bad file.
    workbook = django_forms.FileField(
        label=_("XLSForm workbook (.xlsx or .xls)"),
        allow_empty_file=True,
        widget=django_forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls"}),
    )


class NewQuestionnaireForm(WorkbookUploadForm):
    owner_area = django_forms.ModelChoiceField(
        label=_("Managed by (area)"), queryset=Area.objects.none(), required=True
    )

    def __init__(self, *args: object, owner_areas: list[Area], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["owner_area"]
        assert isinstance(field, django_forms.ModelChoiceField)
        field.queryset = Area.objects.filter(code__in=[a.code for a in owner_areas])
        if len(owner_areas) == 1:
            field.initial = owner_areas[0]


class MediaUploadForm(django_forms.Form):
    file = django_forms.FileField(label=_("Media file (image, audio, video, CSV, XML, GeoJSON)"))


class DeploymentForm(django_forms.Form):
    areas = django_forms.ModelMultipleChoiceField(
        label=_("Deployed to"),
        queryset=Area.objects.none(),
        required=False,
        widget=django_forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, choices: QuerySet[Area], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["areas"]
        assert isinstance(field, django_forms.ModelMultipleChoiceField)
        field.queryset = choices
