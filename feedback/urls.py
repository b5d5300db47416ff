"""URLs of ratings and problem reports."""

from django.urls import path

from feedback import views

app_name = "feedback"

urlpatterns = [
    path("concepts/<slug:slug>/rate/", views.rate, name="rate"),
    path("report/example/<int:pk>/", views.report_example, name="report_example"),
    path("report/problem/<int:pk>/", views.report_problem, name="report_problem"),
]
