"""The knowledge app's desk pages."""

urlpatterns: list = []
