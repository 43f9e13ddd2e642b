from django.urls import path

from . import views

urlpatterns = [
    path("issues/<str:key>/handoff", views.handoff, name="escalation-handoff"),
    path("issues/<str:key>/questionnaire", views.questionnaire, name="escalation-questionnaire"),
    path("issues/<str:key>/team-task", views.team_task, name="escalation-team-task"),
    path("issues/<str:key>/problem", views.problem_link, name="escalation-problem-link"),
    path("breaching-soon/", views.breaching_soon, name="escalation-breaching"),
    path("engineering/", views.engineering, name="escalation-engineering"),
    path("problems/", views.problems, name="escalation-problems"),
    path("problems/<int:problem_id>/", views.problem_detail, name="escalation-problem"),
]
