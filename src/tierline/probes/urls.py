"""The probes app's desk pages."""

urlpatterns: list = []
