from django.contrib.admin.apps import AdminConfig


class HelhedsplanAdminConfig(AdminConfig):
    """Installs Helhedsplan's admin site in place of Django's default one."""

    default_site = "helhedsplan.admin_site.HelhedsplanAdminSite"
