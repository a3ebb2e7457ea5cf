from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView

from areas.api import AreaListApi
from portal import error_pages, views
from portal.audit_api import AuditExportApi, AuditListApi
from portal.sign_in import AdminLockoutAuthenticationForm, ObtainApiTokenView, SignInView

urlpatterns = [
    # First: the paths every phone calls most (/submission, /formList) resolve at once.
    path("", include("collector_api.urls")),
    path("", views.home, name="home"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Anyone may switch the language, also on the login page.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("questionnaires/", include("forms.urls")),
    path("phone/", include("collector_api.phone_urls")),
    path("submissions/", include("review.urls")),
    path("registry/", include("registry.urls")),
    path("duplicates/", include("duplicates.urls")),
    path("api/v1/", include("forms.api_urls")),
    path("api/v1/", include("review.api_urls")),
    path("api/v1/", include("registry.api_urls")),
    path("api/v1/", include("duplicates.api_urls")),
    path("api/v1/areas/", login_not_required(AreaListApi.as_view()), name="api_areas"),
    path("api/v1/auth/token/", login_not_required(ObtainApiTokenView.as_view()), name="api_token"),
    path("api/v1/audit/", login_not_required(AuditListApi.as_view()), name="api_audit"),
    path("api/v1/audit.csv", login_not_required(AuditExportApi.as_view()), name="api_audit_export"),
    path("api/v1/schema/", login_not_required(SpectacularAPIView.as_view()), name="api_schema"),
    path("audit/", include("portal.audit_urls")),
    # /registry/export/… (pages) and /api/v1/registry/export/… (API): CSV and XLSX, streamed.
    path("", include("registry.export_urls")),
    path("admin/", admin.site.urls),
]

# The error pages in the site's layout and the person's language (DEBUG off).
handler403 = error_pages.permission_denied
handler404 = error_pages.page_not_found
handler500 = error_pages.server_error

# The admin's login page counts failures like the site's (portal/sign_in.py).
admin.site.login_form = AdminLockoutAuthenticationForm

# No URL serves MEDIA_ROOT, not even with DEBUG: attachments and form files are served
# only by the views that check the reader's area or the form's deployment.
