"""REST API of intake: notifier management (staff) and the notice endpoint for notifiers with an API key."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import authentication, exceptions, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.views import APIView

from abusedesk.cases.models import CATEGORY_CHOICES
from abusedesk.lib.api import IdLookup, ModelSerializer, StrictCharField, load_json
from abusedesk.portal.apiauth import ScopedTokenAuthentication
from abusedesk.portal.models import ApiToken

from .models import Notifier, RawMessage
from .store import store_raw


class NotifierSerializer(ModelSerializer):
    has_api_key = serializers.SerializerMethodField()

    class Meta:
        model = Notifier
        fields = ["id", "name", "kind", "email", "sender_addresses", "trusted", "auto_reply", "language",
                  "api_key_prefix", "has_api_key", "created_at"]
        read_only_fields = ["api_key_prefix", "created_at"]

    def get_has_api_key(self, notifier) -> bool:
        return bool(notifier.api_key_hash)


class NotifierViewSet(IdLookup, viewsets.ModelViewSet):
    serializer_class = NotifierSerializer
    permission_classes = [permissions.IsAdminUser]
    queryset = Notifier.objects.order_by("name")
    filterset_fields = ["trusted", "kind"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(request=None, responses={200: OpenApiResponse(description='{"api_key": "adk_..."}')})
    @action(detail=True, methods=["post"], url_path="api-key")
    def api_key(self, request, pk=None):
        """Create a new API key (the old one stops working). The key is shown only in this answer."""
        notifier = self.get_object()
        key = notifier.new_api_key()
        notifier.save(update_fields=["api_key_hash", "api_key_prefix"])
        return Response({"api_key": key, "prefix": notifier.api_key_prefix})


class NotifierKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer adk_...` or `X-API-Key: adk_...` identifies a notifier."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        key = header[7:].strip() if header.lower().startswith("bearer ") else request.META.get("HTTP_X_API_KEY", "")
        if not key:
            return None
        notifier = Notifier.for_api_key(key.strip())
        if notifier is None:
            raise exceptions.AuthenticationFailed("invalid API key")
        return (NotifierUser(notifier), notifier)

    def authenticate_header(self, request):
        return 'Bearer realm="abusedesk intake"'


class NotifierKeyScheme(OpenApiAuthenticationExtension):
    target_class = NotifierKeyAuthentication
    name = "notifierKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A notifier's API key: adk_..."}


class NotifierUser:
    """The request's user for a notifier key: authenticated, never staff, no customers."""

    is_authenticated = True
    is_active = True
    is_staff = False
    is_superuser = False
    is_anonymous = False

    def __init__(self, notifier):
        self.notifier = notifier
        self.pk = None

    def get_username(self):
        return f"notifier:{self.notifier.pk}"


class HasNotifierKey(permissions.BasePermission):
    """A notifier's key, or a staff user's API token with the `intake` scope (never trusted)."""

    def has_permission(self, request, view):
        return isinstance(request.auth, Notifier) or (isinstance(request.auth, ApiToken) and request.user.is_staff)


class RawBodyParser(BaseParser):
    """Every content type is accepted as bytes; the view decides what it is."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read() if stream else b""


class SimpleNoticeSerializer(serializers.Serializer):
    """The simple JSON notice: one abuse observation."""

    category = serializers.ChoiceField(choices=CATEGORY_CHOICES)
    ip = serializers.IPAddressField(required=False)
    url = StrictCharField(required=False, max_length=2048)
    port = serializers.IntegerField(required=False, min_value=0, max_value=65535)
    observed_at = serializers.DateTimeField(required=False)
    evidence = StrictCharField(required=False, max_length=100_000, allow_blank=True)
    reference = StrictCharField(required=False, max_length=200, allow_blank=True)
    # DSA Art 16(2)(d): the notifier's statement that it believes the notice accurate and complete.
    bona_fide = serializers.BooleanField(required=False)

    def validate(self, attrs):
        if not attrs.get("ip") and not attrs.get("url"):
            raise serializers.ValidationError("give an ip or a url")
        return attrs


def _is_xarf(doc) -> bool:
    return isinstance(doc, dict) and "Report" in doc and ("Version" in doc or "ReporterInfo" in doc)


class IntakeView(APIView):
    """POST one notice: a raw mail (`message/rfc822`), an X-ARF JSON, or a simple JSON notice.

    The answer is 202 only after the notice is committed to the raw store;
    the same bytes sent twice are one notice (`duplicate: true`).
    """

    authentication_classes = [NotifierKeyAuthentication, ScopedTokenAuthentication]
    permission_classes = [HasNotifierKey]
    token_scopes = ("intake",)
    parser_classes = [RawBodyParser]
    throttle_classes = []

    @extend_schema(request={"message/rfc822": OpenApiTypes.BINARY, "application/json": OpenApiTypes.OBJECT},
                   responses={202: OpenApiResponse(description='{"id", "sha256", "duplicate", "format"}'),
                              400: OpenApiResponse(description="not a notice"),
                              401: OpenApiResponse(description="no or a wrong API key"),
                              413: OpenApiResponse(description="over ABUSEDESK_INTAKE_MAX_BYTES")})
    def post(self, request):
        limit = settings.INTAKE_MAX_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return Response({"detail": f"notice larger than {limit} bytes"}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        content = request.data if isinstance(request.data, bytes) else b""
        if len(content) > limit:
            return Response({"detail": f"notice larger than {limit} bytes"}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        if not content.strip():
            return Response({"detail": "empty notice"}, status=status.HTTP_400_BAD_REQUEST)
        ctype = (request.content_type or "").split(";")[0].strip().lower()
        filename, kind = "", "mail"
        if ctype in ("application/json", "application/x-xarf+json") or content.lstrip()[:1] == b"{":
            try:
                doc = load_json(content)
            except (ValueError, UnicodeDecodeError):
                return Response({"detail": "invalid JSON"}, status=status.HTTP_400_BAD_REQUEST)
            if _is_xarf(doc):
                filename, kind = "xarf.json", "xarf"
            else:
                serializer = SimpleNoticeSerializer(data=doc if isinstance(doc, dict) else {})
                if not serializer.is_valid():
                    return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
                filename, kind = "notice.json", "simple"
        notifier = request.auth if isinstance(request.auth, Notifier) else None
        raw, created = store_raw(content, RawMessage.Channel.API, filename=filename, notifier=notifier,
                                 trusted=bool(notifier and notifier.trusted), remote_addr=request.META.get("REMOTE_ADDR"))
        return Response({"id": raw.pk, "sha256": raw.sha256, "duplicate": not created, "format": kind},
                        status=status.HTTP_202_ACCEPTED)
