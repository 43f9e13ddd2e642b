from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tierline.accounts.views import ThrottledLoginView
from tierline.api import api
from tierline.issues import views as issue_views
from tierline.probes.longpoll import probes_long_poll

handler404 = "tierline.issues.views.not_found"

urlpatterns = [
    path("", issue_views.home, name="home"),
    path("login/", ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("tierline.conversations.urls")),
    path("", include("tierline.notify.public_urls")),
    path("desk/customers/", include("tierline.customers.urls")),
    path("desk/audit/", include("tierline.audit.urls")),
    path("desk/intake/", include("tierline.intake.urls")),
    path("desk/", include("tierline.issues.urls")),
    path("desk/", include("tierline.triage.urls")),
    path("desk/", include("tierline.escalation.urls")),
    path("desk/", include("tierline.calls.urls")),
    path("desk/", include("tierline.availability.urls")),
    path("desk/", include("tierline.feedback.urls")),
    path("desk/", include("tierline.insights.urls")),
    path("desk/", include("tierline.knowledge.urls")),
    path("desk/", include("tierline.notify.urls")),
    path("desk/", include("tierline.planning.urls")),
    path("desk/", include("tierline.probes.urls")),
    path("portal/kb/", include("tierline.knowledge.portal_urls")),
    path("portal/", include("tierline.portal.urls")),
    path("attachments/<int:attachment_id>", issue_views.download_attachment, name="attachment"),
    # The agents' long poll is async and outside ninja (tierline.probes.longpoll); before the API's routes.
    path("api/v1/agents/probes", probes_long_poll, name="agent-probes"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
