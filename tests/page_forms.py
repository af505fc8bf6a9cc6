"""Reading a rendered form the way a browser submits it, for tests that post it back."""

from html.parser import HTMLParser


class _Fields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if "disabled" in attrs:
            return  # a browser does not send disabled fields
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            if attrs.get("type") in ("radio", "checkbox"):
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value", "on")
            elif attrs.get("type") != "file":
                self.fields[name] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self.textarea = name
            self.fields[name] = ""

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea:
            # Django starts a textarea's content with a newline the browser drops.
            self.fields[self.textarea] = self.fields[self.textarea].removeprefix("\n")
            self.textarea = None


def form_fields(response, action_marker: str = 'method="post" novalidate') -> dict[str, str]:
    """The fields of the page's main form (the one after `action_marker`), as submitted."""
    page = response.content.decode()
    start = page.index(action_marker)
    end = page.index("</form>", start)
    parser = _Fields()
    parser.feed(page[start:end])
    return parser.fields
