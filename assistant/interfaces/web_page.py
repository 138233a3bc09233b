"""The Gradio layout of the chat page, wired to a WebChat (imported only when serving)."""

from __future__ import annotations

import gradio as gr

from assistant.interfaces.web import ANY, EXAMPLES, INTRO, TITLE, WebChat, exchange_number
from core.settings import Settings


def build_page(settings: Settings, assistant, feedback=None):
    """The gr.Blocks page wired to a WebChat."""
    chat = WebChat(settings, assistant, feedback)

    def _user(request: gr.Request | None) -> str | None:
        return getattr(request, "username", None) if request is not None else None

    def respond(question, conversation, doc_ids, provider_type, request: gr.Request):
        yield from chat.respond(question, conversation, doc_ids, provider_type, _user(request))

    def on_like(conversation, data: gr.LikeData, request: gr.Request):
        number = exchange_number(data.index)
        rating = {True: "up", False: "down", "Like": "up", "Dislike": "down"}.get(data.liked)
        if number is None or rating is None:
            return gr.update(), gr.update(), gr.update(), gr.update()
        status = chat.record_feedback(conversation, number, rating, user=_user(request))
        if not status.startswith("Thanks"):
            return gr.update(visible=False), gr.update(), gr.update(), status
        note = (f"Rating saved for answer {number}. Add a comment or the correct answer below "
                "(optional), then press Send feedback.")
        return gr.update(visible=True), number, rating, note

    def send_feedback(conversation, number, rating, comment, correct, request: gr.Request):
        status = chat.record_feedback(conversation, number, rating, comment, correct,
                                      _user(request))
        saved = status.startswith("Thanks")
        if saved:
            return status, "", "", gr.update(visible=False)
        return status, comment, correct, gr.update(visible=True)

    def reset():
        return [], [], gr.update(visible=False), ""

    def refresh_filters():
        return (gr.update(choices=chat.doc_choices()),
                gr.update(choices=chat.provider_choices()))

    with gr.Blocks(title=TITLE, analytics_enabled=False) as page:
        conversation = gr.State([])
        gr.Markdown(f"# {TITLE}\n{INTRO}")
        chatbot = gr.Chatbot(
            label="Conversation", elem_id="pma-chat", height=560, sanitize_html=True,
            allow_tags=False, latex_delimiters=[], feedback_options=("Like", "Dislike"),
            buttons=[], layout="panel",  # "copy" would copy the message's HTML source
            placeholder="Ask about the provider manual — or pick an example below.")
        with gr.Row():
            question = gr.Textbox(label="Question", show_label=False, lines=1, max_lines=6,
                                  placeholder="Type a question about the provider manual…",
                                  scale=8, elem_id="pma-question", autofocus=True)
            send = gr.Button("Ask", variant="primary", scale=1, elem_id="pma-ask")
        new = gr.Button("New conversation", size="sm", elem_id="pma-new")
        with gr.Column(visible=False, elem_id="pma-feedback") as feedback_box:
            gr.Markdown("**Feedback on this answer** — what was wrong or missing?")
            with gr.Row():
                fb_number = gr.Number(label="Answer #", precision=0, minimum=1, scale=1,
                                      elem_id="pma-fb-number")
                fb_rating = gr.Radio(choices=[("Helpful", "up"), ("Not helpful", "down")],
                                     label="Rating", scale=3, elem_id="pma-fb-rating")
            fb_comment = gr.Textbox(label="Comment (optional)", lines=2,
                                    elem_id="pma-fb-comment")
            fb_correct = gr.Textbox(label="The correct answer (optional)", lines=2,
                                    elem_id="pma-fb-correct")
            fb_send = gr.Button("Send feedback", elem_id="pma-fb-send")
        fb_status = gr.Markdown(elem_id="pma-fb-status")
        gr.Examples(EXAMPLES, inputs=[question], label="Example questions")
        with gr.Accordion("Filters", open=False):
            doc_ids = gr.Dropdown(chat.doc_choices(), multiselect=True, value=[],
                                  label="Only these manual pages", elem_id="pma-docs")
            provider = gr.Dropdown(chat.provider_choices(), value=ANY,
                                   label="Provider type", elem_id="pma-provider")

        with gr.Accordion("What changed in the manual", open=False,
                          elem_id="pma-changes"):
            changes = gr.Markdown(chat.change_report(), elem_id="pma-changes-report")

        ask_args = {"fn": respond, "inputs": [question, conversation, doc_ids, provider],
                    "outputs": [chatbot, conversation, question], "show_progress": "hidden",
                    "concurrency_id": "ask",  # Enter and the button share one limit
                    "concurrency_limit": settings.web.concurrency}
        question.submit(api_name="chat", **ask_args)
        send.click(api_visibility="private", **ask_args)
        chatbot.like(on_like, inputs=[conversation],
                     outputs=[feedback_box, fb_number, fb_rating, fb_status],
                     api_visibility="private", concurrency_limit=None)
        fb_send.click(send_feedback,
                      inputs=[conversation, fb_number, fb_rating, fb_comment, fb_correct],
                      outputs=[fb_status, fb_comment, fb_correct, feedback_box], api_name="feedback",
                      concurrency_limit=None)
        for clear in (new.click, chatbot.clear):  # the chat's own bin icon resets too
            clear(reset, outputs=[chatbot, conversation, feedback_box, fb_status],
                  api_visibility="private")
        page.load(refresh_filters, outputs=[doc_ids, provider], api_visibility="private")
        page.load(chat.change_report, outputs=[changes], api_visibility="private")
    return page
