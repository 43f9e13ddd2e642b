"""The availability app's desk pages."""

urlpatterns: list = []
