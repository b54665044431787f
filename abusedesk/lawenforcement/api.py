"""REST API of the register: /api/v1/legal-requests/, for the legal role only (others get 404:
the register does not announce itself)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from abusedesk.cases.models import CATEGORY_CHOICES
from abusedesk.lib import clock
from abusedesk.lib.ipaddr import parse_ip
from abusedesk.lib.roles import is_legal
from abusedesk.network.models import Entity

from . import services
from .models import Channel, Check, Disclosure, Hold, Identifier, LegalRequest, RequestType


class IsLegal(permissions.BasePermission):
    def has_permission(self, request, view):
        if not is_legal(request.user):
            raise NotFound()
        return True


class IdentifierSerializer(serializers.ModelSerializer):
    ip = serializers.SerializerMethodField()

    class Meta:
        model = Identifier
        fields = ["id", "kind", "value", "ip", "port", "at", "zone", "written", "missing", "note", "answer"]
        read_only_fields = ["id", "ip", "missing", "answer"]

    def get_ip(self, obj) -> str | None:
        return obj.value if obj.kind == "ip" else None


class IdentifierInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Identifier.Kind.choices)
    value = serializers.CharField(max_length=2048)
    at = serializers.DateTimeField(required=False, allow_null=True, help_text="Exact time with its zone")
    port = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=65535)
    zone = serializers.CharField(required=False, allow_blank=True, max_length=64)

    def validate(self, data):
        if data["kind"] == "ip":
            if parse_ip(data["value"]) is None:
                raise ValidationError({"value": "not an IP address"})
        return data


class CheckSerializer(serializers.ModelSerializer):
    passed = serializers.BooleanField(source="result", read_only=True)
    computed = serializers.BooleanField(source="passed", read_only=True)

    class Meta:
        model = Check
        fields = ["code", "passed", "computed", "evidence", "remedy", "override", "confirmed_at", "note"]
        read_only_fields = fields


class DisclosureSerializer(serializers.ModelSerializer):
    mail_state = serializers.CharField(source="mail.state", read_only=True, allow_null=True, default=None,
                                       help_text="By mail: queued, sending, sent, failed or bounced")
    message_id = serializers.CharField(source="mail.message_id", read_only=True, allow_null=True, default=None)
    delivered_at = serializers.DateTimeField(source="mail.sent_at", read_only=True, allow_null=True, default=None,
                                             help_text="When the mail server accepted it")

    class Meta:
        model = Disclosure
        fields = ["id", "kind", "content", "recipient", "channel", "sent_at", "mail_state", "message_id",
                  "delivered_at", "data"]
        read_only_fields = fields


class HoldSerializer(serializers.ModelSerializer):
    class Meta:
        model = Hold
        fields = ["id", "case", "what", "since", "until", "extensions", "released_at"]
        read_only_fields = fields


class LegalRequestSerializer(serializers.ModelSerializer):
    ref = serializers.CharField(read_only=True)
    entity = serializers.SlugRelatedField(slug_field="code", read_only=True)
    identifiers = IdentifierSerializer(many=True, read_only=True)
    checks = CheckSerializer(many=True, read_only=True)
    disclosures = DisclosureSerializer(many=True, read_only=True)
    holds = HoldSerializer(many=True, read_only=True)

    class Meta:
        model = LegalRequest
        fields = ["id", "ref", "authority", "country", "unit", "officer", "contact_channel", "contact_verified",
                  "type", "instrument", "entity", "channel", "received_at", "reference", "legal_basis", "language",
                  "requested_data", "confidential", "emergency", "identifiers", "checks", "validity", "state",
                  "authority_deadline", "deadline", "decision_reason", "decision_code", "decided_at",
                  "clarification_text", "answered_at", "given_effect_at", "cases", "disclosures", "holds",
                  "raw_message"]
        read_only_fields = ["id", "ref", "contact_verified", "identifiers", "checks", "validity", "state", "deadline",
                            "decision_reason", "decision_code", "decided_at", "clarification_text", "answered_at",
                            "given_effect_at", "cases", "disclosures", "holds", "raw_message"]


class LegalRequestCreateSerializer(serializers.Serializer):
    """A request entered by hand (post, fax, a portal): what the authority wrote."""

    entity = serializers.SlugRelatedField(slug_field="code", queryset=Entity.objects.all())
    authority = serializers.CharField(max_length=200)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True)
    unit = serializers.CharField(max_length=200, required=False, allow_blank=True)
    officer = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contact_channel = serializers.CharField(max_length=320, required=False, allow_blank=True)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    received_at = serializers.DateTimeField(required=False)
    reference = serializers.CharField(max_length=200, required=False, allow_blank=True)
    legal_basis = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    instrument = serializers.CharField(max_length=20, required=False, allow_blank=True)
    type = serializers.ChoiceField(choices=RequestType.choices)
    language = serializers.ChoiceField(choices=[("en", "en"), ("nl", "nl"), ("de", "de"), ("fr", "fr")],
                                       default="en")
    requested_data = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    data_kinds = serializers.ListField(child=serializers.ChoiceField(choices=["subscriber", "traffic", "content"]),
                                       required=False)
    confidential = serializers.BooleanField(default=False)
    emergency = serializers.BooleanField(default=False)
    category = serializers.ChoiceField(choices=CATEGORY_CHOICES, required=False, help_text=(
        "Of the content an order acts against (its cases' category); a TCO order's is terrorism"))
    authority_deadline = serializers.DateTimeField(required=False, allow_null=True)
    identifiers = IdentifierInputSerializer(many=True, required=False)


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[(d, d) for d in services.DECISIONS])
    reason = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    text = serializers.CharField(required=False, allow_blank=True, max_length=20_000,
                                 help_text="What is sent to the authority (default: the prepared text)")


class DiscloseSerializer(serializers.Serializer):
    content = serializers.CharField(max_length=200_000, trim_whitespace=False, help_text="Exactly what is sent")
    recipient = serializers.CharField(required=False, allow_blank=True, max_length=320)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.EMAIL)
    identifiers = serializers.ListField(child=serializers.IntegerField(), required=False)


class ConfirmCheckSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=Check.Code.choices)
    passed = serializers.BooleanField(required=False, allow_null=True, default=None,
                                      help_text="Staff's verdict; omit to confirm the computed one")
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ClockSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[("pause", "pause"), ("resume", "resume")])
    reason = serializers.ChoiceField(choices=sorted(services.CANNOT_COMPLY_REASONS), required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class TcoReplySerializer(serializers.Serializer):
    removed = serializers.BooleanField(help_text="true: Annex II (removed); false: Annex III (cannot comply)")
    removed_at = serializers.DateTimeField(required=False, allow_null=True)
    reason = serializers.ChoiceField(choices=sorted(services.CANNOT_COMPLY_REASONS), required=False)
    text = serializers.CharField(required=False, allow_blank=True, max_length=20_000)


class LegalRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                          viewsets.GenericViewSet):
    """Requests from authorities, newest first. Legal role only; everyone else gets 404."""

    serializer_class = LegalRequestSerializer
    permission_classes = [permissions.IsAuthenticated, IsLegal]
    filterset_fields = ["state", "validity", "type", "country"]

    def get_queryset(self):
        return (LegalRequest.objects.select_related("entity")
                .prefetch_related("identifiers", "disclosures__mail", "holds", "cases",
                                  Prefetch("checks", queryset=Check.objects.order_by("id")))
                .order_by("-received_at", "-id"))

    @extend_schema(request=LegalRequestCreateSerializer, responses={201: LegalRequestSerializer})
    def create(self, request, *args, **kwargs):
        serializer = LegalRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        identifiers = [dict(i, at=i.get("at")) for i in data.pop("identifiers", [])]
        for item in identifiers:
            if item.get("at") is not None and not item.get("zone"):
                item["zone"] = item["at"].tzname() or "UTC"
        received = data.pop("received_at", None) or clock.now()
        try:
            legal = services.register(received_at=received, identifiers=identifiers, user=request.user,
                                      trusted_channel=False, **data)
        except services.RegisterError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(LegalRequestSerializer(self.get_queryset().get(pk=legal.pk)).data,
                        status=status.HTTP_201_CREATED)

    def _done(self, legal):
        return Response(LegalRequestSerializer(self.get_queryset().get(pk=legal.pk)).data)

    def _run(self, serializer_class, step):
        legal = self.get_object()
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        try:
            step(legal, serializer.validated_data)
        except services.RegisterError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return self._done(legal)

    @extend_schema(request=DecideSerializer, responses=LegalRequestSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """accept, reject (reasons required) or ask for clarification (the prepared text by default)."""
        return self._run(DecideSerializer, lambda legal, d: services.decide(
            legal, d["decision"], user=request.user, reason=d.get("reason", ""), text=d.get("text", "")))

    @extend_schema(request=DiscloseSerializer, responses=LegalRequestSerializer)
    @action(detail=True, methods=["post"])
    def disclose(self, request, pk=None):
        """Send the data to the authority (by mail: to its verified contact channel, through the outbox)
        and record exactly what was sent."""
        return self._run(DiscloseSerializer, lambda legal, d: services.disclose(
            legal, user=request.user, content=d["content"], recipient=d.get("recipient", ""),
            channel=d["channel"], identifier_ids=d.get("identifiers")))

    @extend_schema(request=None, responses=LegalRequestSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Who held each IP address at its time (the assignment history), with the evidence."""
        legal = self.get_object()
        services.answer_identifiers(legal, user=request.user)
        return self._done(legal)

    @extend_schema(request=ConfirmCheckSerializer, responses=LegalRequestSerializer)
    @action(detail=True, methods=["post"], url_path="confirm-check")
    def confirm_check(self, request, pk=None):
        """Confirm a check as computed, or override it."""
        return self._run(ConfirmCheckSerializer, lambda legal, d: services.confirm_check(
            legal, d["code"], user=request.user, verdict=d.get("passed"), note=d.get("note", "")))

    @extend_schema(request=NoteSerializer, responses=LegalRequestSerializer)
    @action(detail=True, methods=["post"], url_path="verify-contact")
    def verify_contact(self, request, pk=None):
        """Staff checked the authority's contact channel back."""
        return self._run(NoteSerializer, lambda legal, d: services.verify_contact(
            legal, user=request.user, note=d.get("note", "")))

    @extend_schema(request=IdentifierInputSerializer, responses=LegalRequestSerializer)
    @action(detail=True, methods=["post"], url_path="add-identifier")
    def add_identifier(self, request, pk=None):
        """Add what the authority clarified (an IP with its exact time, a URL, an account)."""
        return self._run(IdentifierInputSerializer, lambda legal, d: services.add_identifier(
            legal, dict(d, zone=d.get("zone") or (d["at"].tzname() if d.get("at") else "")), user=request.user))

    @extend_schema(request=ClockSerializer, responses=LegalRequestSerializer)
    @action(detail=True, methods=["post"])
    def clock(self, request, pk=None):
        """Pause (TCO Art 3(7)/(8): with a reason) or resume the one-hour clock of the order's cases."""
        def step(legal, d):
            if d["action"] == "pause":
                if not d.get("reason"):
                    raise services.RegisterError("pausing needs a reason")
                services.pause(legal, d["reason"], user=request.user, note=d.get("note", ""))
            else:
                services.resume(legal, user=request.user, note=d.get("note", ""))
        return self._run(ClockSerializer, step)

    @extend_schema(request=TcoReplySerializer, responses=LegalRequestSerializer)
    @action(detail=True, methods=["post"], url_path="tco-reply")
    def tco_reply(self, request, pk=None):
        """TCO reply to the authority: Annex II (removed, when) or Annex III (cannot comply, why)."""
        def step(legal, d):
            if d["removed"]:
                services.tco_removed(legal, user=request.user, removed_at=d.get("removed_at"), note=d.get("text", ""))
            else:
                if not d.get("reason"):
                    raise services.RegisterError("Annex III needs a reason")
                services.tco_cannot_comply(legal, d["reason"], user=request.user, text=d.get("text", ""))
        return self._run(TcoReplySerializer, step)
