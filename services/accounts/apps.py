from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "services.accounts"
    label = "accounts"
    verbose_name = "Bürgerkonten"
    default_auto_field = "django.db.models.BigAutoField"
