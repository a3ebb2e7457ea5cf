from rest_framework import serializers

from registry.models import Area


class AreaSerializer(serializers.ModelSerializer[Area]):
    parent = serializers.CharField(source="parent_id", allow_null=True)

    class Meta:
        model = Area
        fields = ["code", "name", "level", "parent"]
