"""Recording callbacks quarantined before their call was reported (before deliveries could wait
for their call) wait for it like new ones: read again when the call is, or is found reported."""

from django.db import migrations


def wait_for_their_calls(apps, schema_editor):
    CallDelivery = apps.get_model("calls", "CallDelivery")
    CallDelivery.objects.filter(status="quarantined", reason__startswith="A recording of a call not reported yet").update(
        waits=6)


class Migration(migrations.Migration):
    dependencies = [("calls", "0003_delivery_waits")]
    operations = [migrations.RunPython(wait_for_their_calls, migrations.RunPython.noop)]
