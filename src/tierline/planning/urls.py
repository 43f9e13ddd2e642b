"""The planning app's desk pages."""

urlpatterns: list = []
