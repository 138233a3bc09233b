"""The chat page: python app.py (host, port, index and answerer come from Settings / PMA_*)."""

from assistant.interfaces.web import serve
from core.settings import Settings

if __name__ == "__main__":
    serve(Settings())
