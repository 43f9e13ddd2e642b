"""The login page, with throttling against password guessing."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView

from tierline.audit.actions import AuditAction, do_record_audit
from tierline.audit.context import origin_of

from .throttle import clear_failures, is_locked, record_failure


class ThrottledAuthenticationForm(AuthenticationForm):
    is_throttled = False

    def clean(self):
        email = self.cleaned_data.get("username") or ""
        ip = origin_of(self.request).ip_address if self.request else None
        if is_locked(email, ip):
            minutes = max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)
            self.is_throttled = True
            raise forms.ValidationError(
                f"Too many failed attempts. Try again in {minutes} minutes.", code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if record_failure(email, ip):
                do_record_audit(action=AuditAction.LOGIN_THROTTLED, target_type="login",
                                target_id=email.strip().lower()[:64], data={"failures": settings.LOGIN_MAX_FAILURES})
            raise
        clear_failures(email, ip)
        return cleaned


class ThrottledLoginView(LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True
