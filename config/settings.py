"""Settings for the site, read from the environment (see .env.example and the README)."""

import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="" if not DEBUG else "insecure-development-key")
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true for development).")

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env.str("SITE_NAME", default="Trial Finder")
_site = urlsplit(SITE_URL)
if _site.scheme not in ("http", "https") or not _site.hostname:
    raise environ.ImproperlyConfigured(f"SITE_URL must be an absolute http(s) URL: {SITE_URL!r}")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[_site.hostname, "127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = [f"{_site.scheme}://{_site.netloc}"]

# HTTPS hardening follows SITE_URL's scheme; each setting can be overridden on its own so the
# production configuration also runs over plain http on loopback or behind a TLS-terminating proxy.
_https = _site.scheme == "https"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=_https)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=_https)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=_https)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if _https else 0)
# Both reach beyond this site (every subdomain; browsers' built-in lists, hard to leave): a
# deployment opts in to each on its own.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Django's deploy checks ask for both; leaving them off is this configuration's deliberate default.
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "core",
    "axes",
    "trials",
    "plain",
    "subscriptions",
    "relay",
    "registry",
    "health",
    # After subscriptions, whose `db_worker` (the library's, waiting out a lost database)
    # takes the place of the library's own.
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Kept pages are served from here, before the rest runs (see core/pagecache.py).
    "core.pagecache.PageCacheMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Forms are checked against the headers browsers send, not tokens (see core/csrf.py).
    "core.csrf.CrossSiteRequestMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.explain_method_not_allowed",
    # Last, as django-axes asks: it turns a locked-out sign-in into the page below.
    "axes.middleware.AxesMiddleware",
]

# Django's token check is replaced by core.csrf's (the admin keeps its own token check too).
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W003"]

# Staff sign-in throttle (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one account,
# or from one client, sign-in is refused for AXES_COOLOFF_TIME, with a page that says so. Staff
# unlock sooner with `manage.py axes_reset_username NAME` or `manage.py axes_reset_ip IP`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: per account, per client
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a lock ends on time, whatever follows
AXES_CLIENT_IP_CALLABLE = "subscriptions.ratelimit.client_address"  # proxy-aware, as the forms
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_VERBOSE = False  # no banner on every command; attempts are in the admin (Axes)

# No inline scripts or styles anywhere; JSON-LD blocks are data, not scripts, and need no nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The site's queries are short and index-driven; JIT compiling one costs more than it saves.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web workers, the task worker and imports write to one file at once: take the write
    # lock when a transaction starts and wait for it, instead of failing on "database is locked"
    # when a reader's transaction tries to write (an editor's save during a worker's poll).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer fails a request within seconds, not minutes.
    DATABASES["default"]["OPTIONS"].setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache must be shared by every process (web workers, imports, the task worker): it holds
# the invalidation tokens of cached pages and the rate-limit counters. Files under .cache/ are
# shared on one machine, enough to try the site; production uses Redis (see core/checks.py).
_cache_url = env.str("CACHE_URL", default=f"filecache://{BASE_DIR / '.cache'}")
_ratelimit_cache_url = env.str("RATELIMIT_CACHE_URL", default=_cache_url)
CACHES = {
    "default": env.cache_url_config(_cache_url),
    # Rate-limit counters on an alias of their own, so no flood of cached pages can evict them:
    # in production, a Redis whose maxmemory-policy is noeviction (README, "Redis").
    "ratelimit": env.cache_url_config(_ratelimit_cache_url),
}
CACHES["ratelimit"].setdefault("KEY_PREFIX", "ratelimit")
if _ratelimit_cache_url == _cache_url and _cache_url.startswith("filecache:"):
    # A file cache culls files at random when full, and clear() empties its folder: not theirs.
    CACHES["ratelimit"]["LOCATION"] = str(Path(CACHES["default"]["LOCATION"]) / "ratelimit")
# On Redis the site must outlive Redis: a short wait for a connection, then the cache answers as
# an empty one for a few seconds before trying again (health/cache.py).
for _cache in CACHES.values():
    if _cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        _cache["BACKEND"] = "health.cache.ResilientRedisCache"
        _cache.setdefault("OPTIONS", {}).update(
            {
                "socket_connect_timeout": env.float("CACHE_CONNECT_TIMEOUT", default=0.25),
                "socket_timeout": env.float("CACHE_TIMEOUT", default=0.5),
            }
        )

# Cached pages (core/pagecache.py) are served as they are for PAGE_CACHE_SECONDS, then made
# again; they are kept PAGE_STALE_IF_ERROR_SECONDS longer, to be served while the database
# cannot be reached.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=24 * 60 * 60)
PAGE_STALE_IF_ERROR_SECONDS = env.int("PAGE_STALE_IF_ERROR_SECONDS", default=2 * 24 * 60 * 60)
if PAGE_CACHE_SECONDS < 1 or PAGE_STALE_IF_ERROR_SECONDS < 0:
    raise environ.ImproperlyConfigured(
        "PAGE_CACHE_SECONDS must be at least 1 and PAGE_STALE_IF_ERROR_SECONDS at least 0."
    )

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _mailer(email: dict) -> dict:
    """Django's MAILERS entry for a django-environ EMAIL_URL (smtp://, smtp+tls://, consolemail://)."""
    backend = email["EMAIL_BACKEND"]
    if not backend.endswith("smtp.EmailBackend"):
        return {"BACKEND": backend}
    options = {
        "host": email.get("EMAIL_HOST") or "localhost",
        "port": email.get("EMAIL_PORT") or 25,
        "username": email.get("EMAIL_HOST_USER") or None,
        "password": email.get("EMAIL_HOST_PASSWORD") or None,
        "use_tls": bool(email.get("EMAIL_USE_TLS")),
        "use_ssl": bool(email.get("EMAIL_USE_SSL")),
        "timeout": env.int("EMAIL_TIMEOUT", default=20),
    }
    return {"BACKEND": backend, "OPTIONS": options}


MAILERS = {"default": _mailer(env.email_url("EMAIL_URL", default="consolemail://"))}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{SITE_NAME} <alerts@{_site.hostname}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The terms of use visitors agree to when they sign up; change it when
# core/templates/pages/terms.html changes in substance, so each stored consent says which text it
# was given to.
TERMS_VERSION = "2026-11-25"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Where `import_ctgov --api` and `sync_ctgov` read the registry from.
CTGOV_API_URL = env.str("CTGOV_API_URL", default="https://clinicaltrials.gov/api/v2")
# The registry's published rate limit is about 50 requests a minute from one address.
CTGOV_REQUESTS_PER_MINUTE = env.int("CTGOV_REQUESTS_PER_MINUTE", default=50)
# /health/ warns when `sync_ctgov` has not succeeded for this long (it runs daily from cron).
CTGOV_SYNC_STALE_HOURS = env.int("CTGOV_SYNC_STALE_HOURS", default=48)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
