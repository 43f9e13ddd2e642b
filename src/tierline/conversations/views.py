"""HTTP for conversations: the widget script, the sample product page, screenshot uploads from the
widget, the desk's live conversations queue and the admins' chat keys page. Views parse, check access,
call actions."""

from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core import signing
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tierline.accounts.permissions import has_perm
from tierline.customers.masking import PersonalData
from tierline.customers.models import Organization
from tierline.errors import ActionError, InvalidInput
from tierline.issues.actions import Upload
from tierline.issues.views import staff_required

from .actions import check_screenshot, do_add_customer_message, do_create_chat_key, do_revoke_chat_key
from .consumers import UPLOAD_SALT
from .delivery import message_event
from .identity import chat_secret
from .models import ChatKey, Conversation
from .queries import list_chat_keys, list_live_conversations

TICKET_MAX_AGE = 24 * 3600
DEMO_CSP = ("default-src 'self'; script-src 'self'; connect-src 'self' ws: wss:; style-src 'self'; "
            "img-src 'self' data: blob:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'")


@cache
def _widget_source() -> bytes:
    with open(finders.find("conversations/widget.js"), "rb") as file:
        return file.read()


@require_GET
def widget_script(request):
    """The one script tag a product adds; loaded from any site."""
    response = HttpResponse(_widget_source(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@require_GET
def demo_page(request):
    """A sample product page with the widget. `?identity=` passes a signed identity, as the
    company's own pages would; without one the visitor is anonymous."""
    response = render(request, "conversations/demo.html", {
        "identity": request.GET.get("identity", "")[:4096],
        "app_version": request.GET.get("app_version", "2.4.1")[:100],
    })
    response["Content-Security-Policy"] = DEMO_CSP
    return response


def _cors_json(data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status)
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt  # called from the company's product, authenticated by the upload ticket, never a cookie
@require_http_methods(["POST"])
def upload_screenshot(request):
    """multipart/form-data: `ticket` (from the widget's socket), `screenshot` (an image), `body`."""
    try:
        found = signing.loads(request.POST.get("ticket", ""), salt=UPLOAD_SALT, max_age=TICKET_MAX_AGE)
        conversation = Conversation.objects.select_related("issue", "issue__requester").get(
            pk=found["conversation"])
    except (signing.BadSignature, KeyError, TypeError, Conversation.DoesNotExist):
        return _cors_json({"detail": "Unknown or expired conversation", "fields": {"ticket": "invalid"}}, 404)
    screenshot = request.FILES.get("screenshot")
    if screenshot is None:
        return _cors_json({"detail": "No screenshot", "fields": {"screenshot": "required"}}, 422)
    try:
        content = screenshot.read(settings.CHAT_SCREENSHOT_MAX_BYTES + 1)
        content_type = check_screenshot(content, settings.CHAT_SCREENSHOT_MAX_BYTES)
        comment = do_add_customer_message(conversation, body=request.POST.get("body", "")[:5000], attachments=(
            Upload(filename=(screenshot.name or "screenshot")[:100], content_type=content_type, content=content),))
    except ActionError as error:
        return _cors_json({"detail": error.detail, "fields": error.fields}, error.status)
    return _cors_json({"message": message_event(comment)}, 201)


def _queue_context(request) -> dict:
    return {"conversations": list_live_conversations(request.user),
            "privacy": PersonalData(request.user, what="live conversations")}


@staff_required
def live_queue(request):
    return render(request, "conversations/queue.html", _queue_context(request))


@staff_required
def live_queue_rows(request):
    return render(request, "conversations/_rows.html", _queue_context(request))


def _manage_keys_only(request) -> None:
    if not has_perm(request.user, "chat.manage_keys"):
        raise Http404  # like any page the user may not see


@staff_required
@require_http_methods(["GET", "POST"])
def chat_keys(request):
    """The keys that sign widget identities: list, create (the secret is shown this once), revoke."""
    _manage_keys_only(request)
    created, error, errors, status = None, None, {}, 200
    values = {"organization": request.POST.get("organization", ""), "product": request.POST.get("product", "")}
    if request.method == "POST":
        chosen = values["organization"]
        organization = Organization.objects.filter(pk=chosen).first() if chosen.isdigit() and len(chosen) < 19 else None
        try:
            if chosen and organization is None:
                raise InvalidInput("Unknown organization", {"organization": "not found"})
            key = do_create_chat_key(actor=request.user, organization=organization, product=values["product"])
            created = {"key": key, "secret": chat_secret(key.key_id, key.secret_salt)}
            values = {"organization": "", "product": ""}
        except ActionError as failure:
            error, errors, status = failure.detail, failure.fields, failure.status
    keys = list_chat_keys()
    revoked = request.GET.get("revoked", "")  # named by the revoke's redirect; shown only if true
    response = render(request, "conversations/keys.html", {
        "keys": keys, "created": created, "error": error, "errors": errors, "values": values,
        "organizations": Organization.objects.only("id", "name").order_by("name"),
        "revoked": next((k.key_id for k in keys if k.key_id == revoked and not k.is_active), None),
    }, status=status)
    response["Cache-Control"] = "no-store"  # the page may carry a secret
    return response


@staff_required
@require_POST
def revoke_chat_key(request, chat_key: int):
    _manage_keys_only(request)
    key = ChatKey.objects.filter(pk=chat_key, is_active=True).first() if chat_key < 2**63 else None
    if key is None:
        raise Http404
    do_revoke_chat_key(key, actor=request.user)
    return redirect(f"{reverse('chat-keys')}?revoked={key.key_id}")
