"""Read access to the area registry (public reference data for every signed-in user)."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.generics import ListAPIView

from areas.models import Area
from areas.serializers import AreaSerializer


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("parent", str, description="The parent's code, e.g. 35.07."),
            OpenApiParameter(
                "level", str, description="province, regency, subdistrict or village."
            ),
            OpenApiParameter("q", str, description="Part of the name."),
        ]
    )
)
class AreaListApi(ListAPIView[Area]):
    """Areas filtered by ``parent`` (a code), ``level`` and ``q`` (part of the name)."""

    serializer_class = AreaSerializer

    def get_queryset(self) -> QuerySet[Area]:
        areas = Area.objects.all()
        params = self.request.query_params
        if parent := params.get("parent"):
            areas = areas.filter(parent_id=parent)
        if level := params.get("level"):
            areas = areas.filter(level=level)
        if text := params.get("q"):
            areas = areas.filter(name__icontains=text)
        return areas.order_by("code")
