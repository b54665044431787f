"""REST API for cases, their reports and their thread."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets

from abusedesk.lib.roles import is_compliance

from .filtersets import CaseFilterSet, ReportFilterSet
from .models import Case, Message, Report


class CaseSerializer(serializers.ModelSerializer):
    ref = serializers.CharField(read_only=True)
    customer = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    end_customer = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    entity = serializers.SlugRelatedField(slug_field="code", read_only=True)
    uptime_seconds = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id", "ref", "entity", "customer", "end_customer", "category", "target", "ip", "url", "domain",
            "state", "sensitive", "received_at", "first_seen", "last_seen", "report_count", "deadline",
            "deadline_hours", "forwarded_at", "first_response_at", "resolved_at", "escalated_at",
            "restricted_at", "closed_at", "resolution", "resolution_text", "close_reason", "uptime_seconds",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_uptime_seconds(self, case):
        return case.uptime.total_seconds() if case.uptime else None


class ReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = Report
        fields = ["id", "case", "raw_message", "category", "ip", "url", "domain", "port", "observed_at",
                  "received_at", "status", "reason", "source_ref", "evidence"]
        read_only_fields = fields


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = ["id", "case", "author_kind", "author_label", "channel", "body", "created_at"]
        read_only_fields = fields


class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CaseSerializer
    filterset_class = CaseFilterSet

    def get_queryset(self):
        return Case.objects.visible_to(self.request.user).select_related("customer", "end_customer", "entity")


class ReportViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ReportSerializer
    filterset_class = ReportFilterSet

    def get_queryset(self):
        user = self.request.user
        if user.is_staff:
            return Report.objects.all() if is_compliance(user) else Report.objects.exclude(category="csam")
        return Report.objects.filter(case__in=Case.objects.visible_to(user))


class MessageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = MessageSerializer
    filterset_fields = ["case"]

    def get_queryset(self):
        qs = Message.objects.filter(case__in=Case.objects.visible_to(self.request.user))
        if not self.request.user.is_staff:
            qs = qs.filter(visible_to_customer=True)
        return qs
