"""The notify app's desk pages."""

urlpatterns: list = []
