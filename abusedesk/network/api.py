"""REST API for customers and IP assignments (staff)."""

from rest_framework import permissions, serializers, viewsets

from abusedesk.lib.api import IdLookup, ModelSerializer

from .models import Assignment, Customer


class CustomerSerializer(ModelSerializer):
    entity = serializers.SlugRelatedField(slug_field="code", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)

    class Meta:
        model = Customer
        fields = ["id", "reference", "name", "entity", "parent", "is_reseller", "abuse_email", "main_email",
                  "language", "timezone", "state", "created_at"]


class AssignmentSerializer(ModelSerializer):
    customer = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    end_customer = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)

    class Meta:
        model = Assignment
        fields = ["id", "prefix", "version", "prefix_length", "customer", "end_customer", "service_ref",
                  "valid_from", "valid_to"]


class CustomerViewSet(IdLookup, viewsets.ReadOnlyModelViewSet):
    serializer_class = CustomerSerializer
    permission_classes = [permissions.IsAdminUser]
    queryset = Customer.objects.select_related("entity", "parent")
    filterset_fields = ["reference", "state", "is_reseller"]


class AssignmentViewSet(IdLookup, viewsets.ReadOnlyModelViewSet):
    serializer_class = AssignmentSerializer
    permission_classes = [permissions.IsAdminUser]
    queryset = Assignment.objects.select_related("customer", "end_customer")
    filterset_fields = ["prefix", "customer__reference"]
