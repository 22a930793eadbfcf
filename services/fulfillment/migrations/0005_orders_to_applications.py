"""One case, step 2 of 3: every cadastral order gets its application — same id (the order's
address stays), citizen, state, payment, document and times; the order keeps its parcel,
product and verification code. Fees that paid for "cadastral_order" now pay for "application".
The audit trail starts with one entry saying where the case came from."""

from django.db import migrations

HANDLING = "liegenschaftsauskunft"
LEIKA_KEY = "99012005033000"  # Liegenschaftsbuch Auszug
FORM_SLUG = "liegenschaftsauskunft-bestellung"
STATUS = {  # the order's own states → the application's
    "awaiting_payment": "awaiting_payment",
    "paid": "paid",
    "completed": "completed",
    "failed": "rejected",
}


def _form(apps):
    ApplicationForm = apps.get_model("applications", "ApplicationForm")
    form = ApplicationForm.objects.filter(handling=HANDLING).first()
    if form is not None:
        return form
    Service = apps.get_model("services", "Service")
    LocalService = apps.get_model("services_local", "LocalService")
    service = Service.objects.get(leika_key=LEIKA_KEY)
    local, _ = LocalService.objects.get_or_create(service=service, defaults={"offered": True})
    return ApplicationForm.objects.create(
        local_service=local,
        title="Liegenschaftsauskunft",
        slug=FORM_SLUG,
        handling=HANDLING,
        fee_cents=0,
    )


def _parcel(parcel) -> str:
    number = f"{parcel.zaehler}/{parcel.nenner}" if parcel.nenner else str(parcel.zaehler)
    return f"{parcel.gemarkung.name}, Flur {parcel.flur}, Flurstück {number}"


def orders_to_applications(apps, schema_editor):
    CadastralOrder = apps.get_model("fulfillment", "CadastralOrder")
    Application = apps.get_model("applications", "Application")
    ApplicationEvent = apps.get_model("applications", "ApplicationEvent")
    Payment = apps.get_model("payments", "Payment")
    orders = (
        CadastralOrder.objects.filter(application__isnull=True)
        .select_related("parcel__gemarkung")
        .order_by("created")
    )
    if not orders.exists():
        return
    form = _form(apps)
    for order in orders:
        status = STATUS.get(order.status, "awaiting_payment")
        application = Application.objects.create(
            public_id=order.id,
            form=form,
            citizen_id=order.citizen_id,
            status=status,
            data={"product": order.product, "parcel": _parcel(order.parcel)},
            payment_id=order.payment_id,
            document=order.document.name if order.document else "",
            submitted_at=order.created,
            completed_at=order.completed,
        )
        # auto_now(_add) set today's date: the case keeps the order's times
        Application.objects.filter(pk=application.pk).update(
            created=order.created, updated=order.completed or order.created
        )
        ApplicationEvent.objects.create(
            application=application,
            actor="System",
            action="migrated",
            to_status=status,
            message="Bestellung der Liegenschaftsauskunft übernommen.",
            visible_to_citizen=False,
        )
        order.application = application
        order.save(update_fields=["application"])
    Payment.objects.filter(pays_for="cadastral_order").update(pays_for="application")


class Migration(migrations.Migration):
    dependencies = [
        ("fulfillment", "0004_order_is_a_case"),
        ("payments", "0003_payment_pays_for"),
        ("services_local", "__latest__"),
        ("services", "__first__"),
    ]

    operations = [
        migrations.RunPython(orders_to_applications, migrations.RunPython.noop),
    ]
