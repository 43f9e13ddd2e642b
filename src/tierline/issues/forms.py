"""Forms of the desk and the portal. They only parse; actions validate the domain rules."""

from django import forms

from tierline.accounts.models import Team
from tierline.accounts.queries import list_staff_users

from .actions import Upload
from .models import Component, Severity, Status


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def uploads_from(files) -> list[Upload]:
    return [
        Upload(filename=f.name, content_type=getattr(f, "content_type", "") or "application/octet-stream",
               content=f.read())
        for f in files or []
    ]


class CommentForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=100_000)
    is_public = forms.TypedChoiceField(
        choices=[("1", "Public reply"), ("0", "Internal note")], coerce=lambda v: v == "1", initial="1",
        widget=forms.RadioSelect, label="Kind",
    )
    attachments = MultipleFileField(required=False)

    def clean(self):
        data = super().clean()
        if not (data.get("body") or "").strip() and not data.get("attachments"):
            self.add_error("body", "Write a reply or attach a file.")
        return data


class PortalCommentForm(CommentForm):
    is_public = None


class IssueUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)
    assignee = forms.ModelChoiceField(queryset=list_staff_users(), required=False, empty_label="Unassigned")
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False, empty_label="No team")


class NewIssueForm(forms.Form):
    title = forms.CharField(max_length=300)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), required=False, max_length=100_000)
    severity = forms.TypedChoiceField(choices=Severity.choices, coerce=int, initial=Severity.S3)
    component = forms.ModelChoiceField(queryset=Component.objects.all(), required=False,
                                       empty_label="Not sure")
    attachments = MultipleFileField(required=False)
