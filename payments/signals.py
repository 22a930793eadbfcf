from django.dispatch import Signal

# Sent once, after commit, when a payment has been booked as paid. Argument: payment.
payment_paid = Signal()
