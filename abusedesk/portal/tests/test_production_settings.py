"""Production mode: `check --deploy` is clean, and mail never goes to the console."""

import os
import subprocess
import sys

PRODUCTION = {"ABUSEDESK_PRODUCTION": "True", "SECRET_KEY": "k3y-" + "x9Q!zR7#mB2$vL5^" * 4,
              "ALLOWED_HOSTS": "abuse.provider.example", "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"}


def _abusedesk(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "EMAIL_BACKEND")}
    environment.update(env)
    return subprocess.run([sys.executable, "-m", "abusedesk", *args], capture_output=True, text=True,
                          env=environment, timeout=120)


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    result = _abusedesk("check", "--deploy", "--fail-level", "WARNING", ABUSEDESK_VAR_DIR=str(tmp_path), **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_refuses_the_console_mail_backend(tmp_path):
    env = dict(PRODUCTION, EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
    result = _abusedesk("check", ABUSEDESK_VAR_DIR=str(tmp_path), **env)
    assert result.returncode != 0
    assert "EMAIL_BACKEND" in result.stderr and "Traceback" not in result.stderr
    env.pop("EMAIL_BACKEND")  # the default is the console
    assert _abusedesk("check", ABUSEDESK_VAR_DIR=str(tmp_path), **env).returncode != 0
