"""Pages of the site as a whole: robots.txt, the terms, privacy and disclaimer pages, and the
404 page (the 403, 405 and 500 pages are templates here, drawn by Django and core.middleware)."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.views.decorators.http import require_safe


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /updates/",
        f"Sitemap: {settings.SITE_URL}/sitemap.xml",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
def static_page(request, page: str):
    try:
        return render(request, f"pages/{page}.html")
    except TemplateDoesNotExist:
        raise Http404 from None


def page_not_found(request, exception):
    return render(request, "404.html", status=404)
