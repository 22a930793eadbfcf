"""What the tenant actions announce to the apps above them (cms, services), which connect their
receivers in their AppConfig.ready. Tenants never imports those apps."""

from kreisportal.hooks import Hook

# A portal's schema is there and needs its site (sent on creation and on refresh; receivers
# are idempotent). Arguments: tenant, hostname.
tenant_provisioned = Hook("tenant_provisioned")

# The go-live checklist of a portal in preparation: each receiver appends what is still open in
# its part, as short German labels, to `open_items` (going live is refused while any is open;
# the tenant admin shows them). Arguments: tenant, open_items.
go_live_checklist = Hook("go_live_checklist")

# A backup was restored as `tenant` under `hostname`: point what names the old host to the new
# one and rebuild the public read models. Sent inside the restore's transaction; an error
# undoes the restore. Arguments: tenant, hostname.
tenant_restored = Hook("tenant_restored")
