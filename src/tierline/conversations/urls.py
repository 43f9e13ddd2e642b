from django.urls import path

from . import views

urlpatterns = [
    path("widget.js", views.widget_script, name="chat-widget"),
    path("widget/demo/", views.demo_page, name="chat-demo"),
    path("widget/screenshot", views.upload_screenshot, name="chat-screenshot"),
    path("desk/conversations/", views.live_queue, name="chat-queue"),
    path("desk/conversations/rows", views.live_queue_rows, name="chat-queue-rows"),
    path("desk/chat-keys/", views.chat_keys, name="chat-keys"),
    path("desk/chat-keys/<int:chat_key>/revoke", views.revoke_chat_key, name="chat-key-revoke"),
]
