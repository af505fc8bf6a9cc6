from django.contrib.admin.apps import AdminConfig


class HelhedsplanAdminConfig(AdminConfig):
    """Installs Helhedsplan's admin site in place of Django's default one."""

    default_site = "agreements.admin_site.HelhedsplanAdminSite"
