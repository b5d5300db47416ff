"""Root URLconf: each app brings its own URLs."""

from django.contrib import admin
from django.urls import include, path

handler404 = "techtree.errors.not_found"
handler500 = "techtree.errors.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("", include("techtree.urls_tree")),
    path("", include("lessons.urls")),
    path("", include("quizzes.urls")),
    path("", include("review.urls")),
    path("", include("placement.urls")),
    path("", include("feedback.urls")),
    path("lab/", include("lens.urls")),
]
