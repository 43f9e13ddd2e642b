"""Admin pages for outgoing webhooks. Endpoints are created, changed, rotated and deleted through
the actions (so each is audited and the signing secret is shown once, as a message); the delivery
log is read-only."""

from django import forms
from django.contrib import admin, messages

from tierline.errors import InvalidInput

from .models import WebhookDelivery, WebhookEndpoint
from .webhooks import (
    EDITABLE,
    WEBHOOK_EVENTS,
    _check,
    do_create_webhook,
    do_delete_webhook,
    do_rotate_webhook_secret,
    do_send_test_event,
    do_update_webhook,
)

FIELDS = ("name", "url", "events", "format", "is_active")


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(choices=[(e, e) for e in WEBHOOK_EVENTS],
                                       widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookEndpoint
        fields = FIELDS

    def _post_clean(self):
        super()._post_clean()
        try:
            _check({name: getattr(self.instance, name) for name in ("name", "url", "events", "format")})
        except InvalidInput as error:
            for field, message in (error.fields or {None: error.detail}).items():
                self.add_error(field if field in self.fields else None, message)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("name", "url", "format", "is_active", "updated_at")
    actions = ["rotate_secret", "send_test_event"]

    def save_model(self, request, obj, form, change):
        values = {name: getattr(obj, name) for name in FIELDS}
        if change:
            saved = do_update_webhook(WebhookEndpoint.objects.get(pk=obj.pk), actor=request.user,
                                      **{k: v for k, v in values.items() if k in EDITABLE})
        else:
            saved, secret = do_create_webhook(actor=request.user, **values)
            messages.warning(request, f"Signing secret of {saved.name} (shown this once): {secret}")
        obj.pk, obj._state = saved.pk, saved._state

    def get_deleted_objects(self, objs, request):
        # The delivery log goes with its endpoint, although no one may delete log rows alone.
        deleted, counts, _, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    def delete_model(self, request, obj):
        do_delete_webhook(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            do_delete_webhook(obj, actor=request.user)

    @admin.action(description="Rotate the signing secret")
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            secret = do_rotate_webhook_secret(endpoint, actor=request.user)
            messages.warning(request, f"New signing secret of {endpoint.name} (shown this once): {secret}")

    @admin.action(description="Send a test event")
    def send_test_event(self, request, queryset):
        for endpoint in queryset:
            do_send_test_event(endpoint, actor=request.user)
        messages.info(request, "Test events queued; see the delivery log.")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "endpoint", "event", "issue", "status", "attempts", "last_status_code",
                    "last_error", "next_attempt_at")
    list_filter = ("status", "endpoint", "event")
    list_select_related = ("endpoint", "issue")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
