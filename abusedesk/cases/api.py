"""REST API for cases, their reports and their thread."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from abusedesk.lib.api import IdLookup, ModelSerializer, Pagination, StrictCharField
from abusedesk.lib.ids import MAX_ID
from abusedesk.lib.roles import is_compliance, is_legal

from . import services as casework
from .filtersets import CaseFilterSet, MessageFilterSet, ReportFilterSet, newest_first
from .models import CHILD_ABUSE, Case, Message, Report


class CappedCountPagination(Pagination):
    """limit/offset paging whose `count` stops at COUNT_CAP: counting a million
    matching cases on every page would cost more than the page itself."""

    COUNT_CAP = 10_000

    def get_count(self, queryset):
        return queryset.order_by()[: self.COUNT_CAP].count()


class CaseSerializer(ModelSerializer):
    ref = StrictCharField(read_only=True)
    customer = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    end_customer = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)
    entity = serializers.SlugRelatedField(slug_field="code", read_only=True)
    # Empty until the case is resolved / closed: the schema's enums include "".
    resolution = serializers.ChoiceField(choices=Case.Resolution.choices, allow_blank=True, read_only=True)
    close_reason = serializers.ChoiceField(choices=Case.CloseReason.choices, allow_blank=True, read_only=True)
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


class ReportSerializer(ModelSerializer):
    class Meta:
        model = Report
        fields = ["id", "case", "raw_message", "category", "ip", "url", "domain", "port", "observed_at",
                  "received_at", "status", "reason", "source_ref", "evidence"]
        read_only_fields = fields

    def to_representation(self, report):
        data = super().to_representation(report)
        request = self.context.get("request")
        if (report.category == CHILD_ABUSE or (report.case_id and report.case.sensitive)) and not (
                request and is_compliance(request.user)):
            data["evidence"] = ""  # child abuse: the notifier's words are for the compliance role only
        return data


class MessageSerializer(ModelSerializer):
    class Meta:
        model = Message
        fields = ["id", "case", "author_kind", "author_label", "channel", "body", "visible_to_customer",
                  "created_at"]
        read_only_fields = ["id", "author_kind", "author_label", "channel", "created_at"]
        extra_kwargs = {"case": {"queryset": Case.objects.none()}, "visible_to_customer": {"required": False}}


class MessageCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    body = StrictCharField(max_length=20_000)
    visible_to_customer = serializers.BooleanField(default=True,
                                                   help_text="Staff only; a customer's messages are always visible.")


class ResolveSerializer(serializers.Serializer):
    resolution = serializers.ChoiceField(choices=Case.Resolution.choices)
    text = StrictCharField(required=False, allow_blank=True, max_length=20_000)


class DisputeSerializer(serializers.Serializer):
    text = StrictCharField(max_length=20_000)


class DisputeDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("uphold", "uphold"), ("reject", "reject")])
    reason = StrictCharField(max_length=2000, help_text="Mailed to the customer")


class CaseViewSet(IdLookup, viewsets.ReadOnlyModelViewSet):
    """Cases newest first. `count` is exact up to 10,000 and 10,000 above that."""

    serializer_class = CaseSerializer
    filterset_class = CaseFilterSet
    pagination_class = CappedCountPagination
    queryset = Case.objects.none()  # for the schema's types; get_queryset applies visibility

    def filter_queryset(self, queryset):
        return newest_first(super().filter_queryset(queryset), self.request.query_params)

    def get_queryset(self):
        return Case.objects.visible_to(self.request.user).select_related("customer", "end_customer", "entity")

    def _do(self, request, serializer_class, step):
        case = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            step(casework, case, serializer.validated_data)
        except casework.CaseworkError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        case.refresh_from_db()
        return Response(CaseSerializer(case).data)

    @extend_schema(request=ResolveSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Mark the case resolved, with how (mandatory)."""
        return self._do(request, ResolveSerializer, lambda cw, case, d: cw.resolve(
            case, request.user, d["resolution"], d.get("text", "")))

    @extend_schema(request=DisputeSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def dispute(self, request, pk=None):
        """Dispute the notice; the deadline pauses until staff decide."""
        return self._do(request, DisputeSerializer, lambda cw, case, d: cw.dispute(case, request.user, d["text"]))

    @extend_schema(request=DisputeDecisionSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"], url_path="dispute-decision")
    def dispute_decision(self, request, pk=None):
        """Staff: uphold a dispute (close, restrictions lifted) or reject it (back to the customer)."""
        if not request.user.is_staff:
            raise PermissionDenied("Only staff decide disputes.")
        return self._do(request, DisputeDecisionSerializer, lambda cw, case, d: (
            cw.uphold_dispute if d["decision"] == "uphold" else cw.reject_dispute)(case, request.user, d["reason"]))


class ReportViewSet(IdLookup, viewsets.ReadOnlyModelViewSet):
    serializer_class = ReportSerializer
    filterset_class = ReportFilterSet
    queryset = Report.objects.none()  # for the schema's types; get_queryset applies visibility

    def get_queryset(self):
        user = self.request.user
        reports = Report.objects.visible_to(user).select_related("case")
        if user.is_staff and not is_legal(user):
            # What an authority asked about is for the legal role only.
            reports = reports.exclude(status=Report.Status.LAW_ENFORCEMENT)
        return reports


class MessageViewSet(IdLookup, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     viewsets.GenericViewSet):
    """The thread of the cases you can see; POST adds a message to one of them."""

    serializer_class = MessageSerializer
    filterset_class = MessageFilterSet
    queryset = Message.objects.none()  # for the schema's types; get_queryset applies visibility

    def get_queryset(self):
        qs = Message.objects.filter(case__in=Case.objects.visible_to(self.request.user))
        if not self.request.user.is_staff:
            qs = qs.filter(visible_to_customer=True)
        return qs.order_by("created_at", "id")

    @extend_schema(request=MessageCreateSerializer, responses={201: MessageSerializer})
    def create(self, request, *args, **kwargs):
        data = MessageCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = get_object_or_404(Case.objects.visible_to(request.user), pk=data.validated_data["case"])
        user = request.user
        try:
            message = casework.post_message(
                case, user, data.validated_data["body"],
                author_kind=Message.Author.STAFF if user.is_staff else Message.Author.CUSTOMER,
                channel=Message.Channel.API,
                visible_to_customer=data.validated_data["visible_to_customer"] if user.is_staff else True,
            )
        except casework.CaseworkError as exc:
            raise ValidationError({"body": str(exc)}) from exc
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)
