"""Citizen accounts per tenant ("Mein Konto"): the tenant's own record of a citizen signed in
through the broker, and the postbox."""
