#!/usr/bin/env python
"""A tiny OpenID Connect provider (django-oauth-toolkit) for the single sign-on tests: tests/sso/test_oidc_login.py
runs `manage.py setup_idp …` and then `manage.py runserver 127.0.0.1:<port> --noreload` with IDP_STATE_DIR set to a
temporary directory (its SQLite database and RSA signing key)."""

import os
import sys

if __name__ == "__main__":
    os.environ["DJANGO_SETTINGS_MODULE"] = "sso_test_idp.settings"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
