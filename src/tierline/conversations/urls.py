from django.urls import path

from . import views

urlpatterns = [
    path("widget.js", views.widget_script, name="chat-widget"),
    path("widget/demo/", views.demo_page, name="chat-demo"),
    path("widget/screenshot", views.upload_screenshot, name="chat-screenshot"),
    path("desk/conversations/", views.live_queue, name="chat-queue"),
    path("desk/conversations/rows", views.live_queue_rows, name="chat-queue-rows"),
]
