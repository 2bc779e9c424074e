from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LogoutView
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy
from django.views.generic import RedirectView
from two_factor.admin import AdminSiteOTPRequired
from two_factor.urls import core as two_factor_core

from exchanges.views import dashboard
from partners import views as partner_views
from partners import views_account as account_views
from partners import views_onboarding as onboarding_views
from partners import views_security as security_views
from selec.core import views
from selec.core import views_notifications as notification_views
from selec.core.access import public
from taskforces import views as taskforce_views

# The admin asks for the same verified (password + TOTP) login as every other page.
admin.site.__class__ = AdminSiteOTPRequired
admin.site.site_header = gettext_lazy("SELEC Exchange administration")
admin.site.site_title = gettext_lazy("SELEC Exchange")

# An address under /api/ that matches no route answers JSON, like every API error.
handler404 = "selec.core.not_found.not_found"
# A request refused (400, 403) answers a page naming the request id, JSON under /api/.
handler400 = "selec.core.error_pages.bad_request"
handler403 = "selec.core.error_pages.permission_denied"
# A database outage answers 503 with Retry-After; any other failure 500 naming the request id.
handler500 = "selec.core.errors.server_error"

urlpatterns = [
    path("", dashboard.dashboard, name="home"),
    path("exchanges/", include("exchanges.urls")),
    path("cases/", include("cases.urls")),
    path("analytics/", include("analytics.urls")),
    path("products/", include("products.urls")),
    path("dpo/", include("oversight.urls")),
    path("records/", include("records.urls")),
    path("subject-requests/", include("subjects.urls")),
    path("hits/", include("hits.urls")),
    path("api/", include("selec.api_urls")),
    path("notifications/", notification_views.notifications, name="notifications"),
    path(
        "notifications/<int:pk>/read/",
        notification_views.notification_read,
        name="notification_read",
    ),
    path(
        "notifications/read-all/",
        notification_views.notifications_read_all,
        name="notifications_read_all",
    ),
    # Browsers ask for /favicon.ico whatever the page links: send them to the static SVG (its
    # address is resolved per request, as the production storage names it after its hash).
    path(
        "favicon.ico",
        public(RedirectView.as_view(url=lazy(static, str)("favicon.svg"))),
        name="favicon",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("account/", account_views.account, name="account"),
    path("account/tokens/", account_views.api_token_issue_view, name="api_token_issue"),
    path(
        "account/tokens/<int:pk>/revoke/",
        account_views.api_token_revoke_view,
        name="api_token_revoke",
    ),
    path(
        "account/confirmations/",
        account_views.access_confirmations,
        name="access_confirmations",
    ),
    path(
        "account/confirmations/<int:pk>/",
        account_views.access_confirmation_decide,
        name="access_confirmation_decide",
    ),
    path("account/password/", security_views.password_change_view, name="account_password"),
    path("account/sessions/", security_views.sessions_view, name="account_sessions"),
    path(
        "account/sessions/<int:pk>/end/",
        security_views.session_end_view,
        name="account_session_end",
    ),
    path("account/preferences/", security_views.preferences_view, name="account_preferences"),
    path("account/backup-codes/", security_views.backup_codes_view, name="account_backup_codes"),
    # two_factor's own page would show the stored codes again without a code: ours replaces it.
    path(
        "account/two_factor/backup/tokens/",
        login_required(RedirectView.as_view(pattern_name="account_backup_codes")),
    ),
    path("account/password-reset/", security_views.password_reset_view, name="password_reset"),
    path(
        "account/password-reset/sent/",
        security_views.password_reset_done_view,
        name="password_reset_done",
    ),
    path(
        "account/password-reset/<uidb64>/<token>/",
        security_views.password_reset_confirm_view,
        name="password_reset_confirm",
    ),
    path(
        "account/password-reset/done/",
        security_views.password_reset_complete_view,
        name="password_reset_complete",
    ),
    # Login, TOTP enrolment and backup codes; disabling two-factor is deliberately not routed.
    path("", include((two_factor_core, "two_factor"))),
    path("account/logout/", LogoutView.as_view(), name="logout"),
    path("directory/parties/", partner_views.party_list, name="party_list"),
    path("directory/agencies/", partner_views.agency_list, name="agency_list"),
    path("directory/officers/", partner_views.officer_list, name="officer_list"),
    path("directory/task-forces/", taskforce_views.task_force_list, name="task_force_list"),
    path("directory/manage/", include("partners.urls_onboarding")),
    path("directory/manage/", include("partners.urls_status")),
    path("account/invitation/<str:token>/", onboarding_views.invitation, name="invitation_accept"),
    # Authenticator resets, offboarding and unlocking (/account/..., /directory/manage/...).
    path("", include("partners.urls_lifecycle")),
    path("admin/", admin.site.urls),
]
