from rest_framework import serializers

from areas.models import Area


class AreaSerializer(serializers.ModelSerializer[Area]):
    class Meta:
        model = Area
        fields = ["code", "name", "level", "parent"]
