"""The insights app's desk pages."""

urlpatterns: list = []
