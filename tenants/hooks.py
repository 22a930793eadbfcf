"""What the tenant actions announce to the apps above them (cms, services), which connect their
receivers in their AppConfig.ready. Tenants never imports those apps."""

from kreisportal.hooks import Hook

# A portal's schema is there and needs its site (sent on creation and on refresh; receivers
# are idempotent). Arguments: tenant, hostname.
tenant_provisioned = Hook("tenant_provisioned")

# A portal in preparation is about to go live: receivers check their part of the go-live
# checklist and raise TenantActionError naming what is still open (the switch is then refused).
# Sent inside the go-live transaction. Arguments: tenant.
tenant_going_live = Hook("tenant_going_live")

# A backup was restored as `tenant` under `hostname`: point what names the old host to the new
# one and rebuild the public read models. Sent inside the restore's transaction; an error
# undoes the restore. Arguments: tenant, hostname.
tenant_restored = Hook("tenant_restored")
