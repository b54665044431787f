"""REST API: /api/v1/kyc/orders/ (the shop submits, KYC staff decide) and /api/v1/kyc/watchlist/."""

from django.conf import settings
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from abusedesk.lib.api import ModelSerializer, StrictCharField
from abusedesk.network.models import Entity

from . import services
from .access import KycAccess, is_shop
from .models import Order, Questionnaire, WatchListEntry
from .questionnaires import url_for

ORDER_INPUT = ["shop_reference", "company_name", "registration_number", "registration_country", "vat_id",
               "contact_person", "email", "phone", "website", "billing_address", "billing_country",
               "payment_fingerprint", "signup_ip", "business_type", "services", "language"]


class SignalSerializer(serializers.Serializer):
    code = StrictCharField()
    weight = serializers.IntegerField()
    explanation = StrictCharField()
    evidence = serializers.ListField(child=StrictCharField(), required=False)


class OrderSerializer(ModelSerializer):
    entity = serializers.SlugRelatedField(slug_field="code", queryset=Entity.objects.all(), required=False)
    signals = serializers.SerializerMethodField()
    questionnaire_url = serializers.SerializerMethodField()
    customer = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)
    # Empty until the order is rejected: the schema says so (allow_blank), as for a case's close reason.
    reject_reason = serializers.ChoiceField(choices=Order.RejectReason.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Order
        fields = ["id", "company_name", "state", "risk_score", "risk_level", "signals", "questionnaire_url",
                  "entity", *[f for f in ORDER_INPUT if f != "company_name"], "reject_reason", "decision_note",
                  "customer", "created_at", "decided_at"]
        read_only_fields = ["state", "risk_score", "risk_level", "reject_reason", "decision_note", "created_at",
                            "decided_at"]

    @extend_schema_field(SignalSerializer(many=True))
    def get_signals(self, order) -> list[dict]:
        # The evidence (what matched whom) is for KYC staff; the shop sees code, weight and explanation.
        shop = self.context.get("shop", True)
        return [{k: v for k, v in s.items() if k != "evidence" or not shop} for s in order.signals]

    def get_questionnaire_url(self, order) -> str | None:
        q = services.open_questionnaire(order)
        return url_for(q) if q else None

    def validate_billing_country(self, value):
        return value.upper()

    def validate_registration_country(self, value):
        return value.upper()


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "reject", "ask_info"])
    reason = serializers.ChoiceField(choices=Order.RejectReason.choices, required=False)
    note = StrictCharField(required=False, allow_blank=True, default="")


class OrderViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = OrderSerializer
    permission_classes = [KycAccess]
    shop_actions = ("create", "retrieve", "list")
    # Scoped API tokens: an "orders" token reaches this view and no other (KycAccess still decides who).
    token_scopes = ("orders",)
    filterset_fields = ["state", "risk_level", "business_type"]

    def get_queryset(self):
        requested = Questionnaire.objects.filter(state=Questionnaire.State.REQUESTED).order_by("-requested_at")
        qs = Order.objects.select_related("entity", "customer").prefetch_related(
            Prefetch("questionnaires", queryset=requested, to_attr="requested_questionnaires"))
        if self._shop():
            qs = qs.filter(submitted_by=self.request.user)
        return qs

    def _shop(self) -> bool:
        if not hasattr(self, "_is_shop"):
            self._is_shop = is_shop(self.request.user)
        return self._is_shop

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "shop": self._shop()}

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        entity = data.pop("entity", None) or Entity.objects.filter(code=settings.DEFAULT_ENTITY).first()
        if entity is None:
            raise serializers.ValidationError({"entity": "no such entity; give one"})
        serializer.instance = services.submit_order(entity, data, user=self.request.user)

    @extend_schema(request=DecisionSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        order = self.get_object()
        form = DecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        try:
            if d["decision"] == "approve":
                services.approve(order, request.user, d["note"])
            elif d["decision"] == "reject":
                if "reason" not in d:
                    raise services.DecisionError("a rejection needs a reason")
                services.reject(order, request.user, d["reason"], d["note"])
            else:
                services.ask_info(order, request.user, d["note"])
        except services.DecisionError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        order.refresh_from_db()
        return Response(OrderSerializer(order, context=self.get_serializer_context()).data)


class WatchListEntrySerializer(ModelSerializer):
    aliases = serializers.ListField(child=StrictCharField(max_length=200), required=False)
    domains = serializers.ListField(child=StrictCharField(max_length=255), required=False)
    emails = serializers.ListField(child=serializers.EmailField(), required=False)
    phones = serializers.ListField(child=StrictCharField(max_length=40), required=False)
    registration_numbers = serializers.ListField(child=StrictCharField(max_length=64), required=False)
    reviews_opened = serializers.SerializerMethodField()

    class Meta:
        model = WatchListEntry
        fields = ["id", "name", "aliases", "domains", "emails", "phones", "registration_numbers", "source",
                  "listed_on", "note", "created_at", "reviews_opened"]
        read_only_fields = ["created_at"]

    def get_reviews_opened(self, entry) -> int | None:
        return getattr(entry, "reviews_opened", None)


class WatchListViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """GET/POST the watch list; adding an entry screens the existing customers against it."""

    serializer_class = WatchListEntrySerializer
    permission_classes = [KycAccess]
    queryset = WatchListEntry.objects.all()

    def perform_create(self, serializer):
        entry, opened = services.add_watch_entry(dict(serializer.validated_data), user=self.request.user)
        entry.reviews_opened = opened
        serializer.instance = entry
