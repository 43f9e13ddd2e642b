"""The feedback app's desk pages."""

urlpatterns: list = []
