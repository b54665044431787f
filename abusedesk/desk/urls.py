from django.urls import path

from . import customer_views, owner_views, setup_views, triage_views, views

app_name = "desk"
urlpatterns = [
    path("desk/", views.queue_view, name="queues"),
    path("desk/queue/<slug:name>/", views.queue_view, name="queue"),
    path("desk/cases/", views.cases, name="cases"),
    path("desk/cases/bulk/", views.bulk, name="bulk"),
    path("desk/cases/<int:pk>/", views.case_detail, name="case"),
    path("desk/cases/<int:pk>/owner/", owner_views.set_owner, name="case-owner"),
    path("desk/cases/<int:pk>/<slug:verb>/", views.case_action, name="case-action"),
    path("desk/actions/<int:pk>/<slug:decision>/", views.action_decide, name="action"),
    path("desk/raw/<int:pk>/", views.raw_detail, name="raw"),
    path("desk/raw/<int:pk>/download/", views.raw_download, name="raw-download"),
    path("desk/raw/<int:pk>/release/", views.raw_release, name="raw-release"),
    path("desk/raw/<int:pk>/triage/<slug:action>/", triage_views.triage_one, name="raw-triage"),
    path("desk/raw/triage/", triage_views.triage_bulk, name="raw-triage-bulk"),
    path("desk/customers/<int:pk>/", customer_views.customer_detail, name="customer"),
    path("desk/notifiers/", views.notifiers, name="notifiers"),
    path("desk/notifiers/new/", views.notifier_edit, name="notifier-new"),
    path("desk/notifiers/<int:pk>/", views.notifier_edit, name="notifier"),
    path("desk/policy/", views.policies, name="policies"),
    path("desk/setup/", setup_views.setup, name="setup"),
    path("desk/setup/entities/new/", setup_views.entity_edit, name="entity-new"),
    path("desk/setup/entities/<slug:code>/", setup_views.entity_edit, name="entity"),
    path("desk/setup/no-contact/", setup_views.no_contact, name="no-contact"),
    path("desk/setup/bouncing/", setup_views.bouncing, name="bouncing"),
]
