from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from abusedesk.cases.api import CaseViewSet, MessageViewSet, ReportViewSet
from abusedesk.desk.views import home
from abusedesk.intake import public as intake_public
from abusedesk.intake import views as intake_views
from abusedesk.intake.api import IntakeView, NotifierViewSet
from abusedesk.kyc.api import OrderViewSet, WatchListViewSet
from abusedesk.lawenforcement.api import LegalRequestViewSet
from abusedesk.network.api import AssignmentViewSet, CustomerViewSet
from abusedesk.network.inventory_api import InventoryEventsView
from abusedesk.portal.auth import RateLimitedLoginView, RateLimitedPasswordResetView

router = DefaultRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("reports", ReportViewSet, basename="report")
router.register("messages", MessageViewSet, basename="message")
router.register("customers", CustomerViewSet, basename="customer")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("notifiers", NotifierViewSet, basename="notifier")
router.register("kyc/orders", OrderViewSet, basename="kyc-order")
router.register("kyc/watchlist", WatchListViewSet, basename="kyc-watchlist")
router.register("legal-requests", LegalRequestViewSet, basename="legal-request")

# The API answers JSON even for a path it does not know (e.g. a path id that is not a number).
handler404 = "abusedesk.lib.api.not_found"

urlpatterns = [
    path("", home, name="home"),
    path("", include("abusedesk.desk.urls")),
    path("desk/feeds/", include("abusedesk.feeds.urls")),
    path("desk/legal/", include("abusedesk.lawenforcement.urls")),
    path("portal/", include("abusedesk.portal.urls")),
    path("", include("abusedesk.kyc.urls")),
    path("report/", intake_views.notice_form, name="notice-form"),
    path("report/receipt/", intake_views.notice_receipt, name="notice-receipt"),
    path("abuse/<slug:code>/", intake_public.entity_page, name="entity-public"),
    path(".well-known/security.txt", intake_public.security_txt, name="security-txt"),
    path("accounts/login/", RateLimitedLoginView.as_view(), name="login"),
    path("accounts/password_reset/", RateLimitedPasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", RedirectView.as_view(url=static("abusedesk/favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/v1/intake/", IntakeView.as_view(), name="api-intake"),
    path("api/v1/inventory/events/", InventoryEventsView.as_view(), name="api-inventory-events"),
    path("api/v1/kpis/", include("abusedesk.reports.api_urls")),
    path("", include("abusedesk.reports.urls")),
    path("api/v1/", include(router.urls)),
]
