"""Site-wide response handling that Django leaves to the project."""

from django.template.loader import render_to_string


def explain_method_not_allowed(get_response):
    """Give Django's empty “405 Method Not Allowed” a page a person can act on.

    People meet it by reloading or bookmarking the address a form was sent to.
    """

    def middleware(request):
        response = get_response(request)
        if response.status_code == 405 and not response.content:
            response.content = render_to_string("405.html", request=request)
            response["Content-Type"] = "text/html; charset=utf-8"
        return response

    return middleware
