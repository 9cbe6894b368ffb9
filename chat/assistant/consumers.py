"""The assistant socket at ws/assistant/: questions in, streamed answers out.

Frames in:  {"type": "ask", "question", "page_id"?, "conversation_id"?}, {"type": "stop"}
Frames out: {"type": "sources", "items": [...]}, {"type": "token", "text"},
            {"type": "done", "conversation_id", "usage", "cited"?, "stopped"?},
            {"type": "error", "code", "message", "retry_after"?}

The consumer validates, limits and sends: the answer itself (retrieve,
prompt, stream, record) is `chat.assistant.answering`. One answer is in
flight per connection: a new question or "stop" cancels it, and so does
disconnecting; cancelling closes the stream to the language model.
"""

import asyncio
import contextlib

from chat.assistant import answering
from config.proxy import scope_client_ip
from core.websocket import ClientError, JsonFrameConsumer


class AssistantConsumer(JsonFrameConsumer):
    """Answers questions about live, public content, streaming token by token."""

    async def connect(self):
        self.answer_task = None
        await self.accept()

    async def disconnect(self, code):
        await self.cancel_answer()

    # Client frames ------------------------------------------------------

    async def handle_frame(self, content):
        frame_type = content.get("type")
        if frame_type == "ask":
            await self.ask(content)
        elif frame_type == "stop":
            await self.cancel_answer()
        else:
            raise ClientError("unknown_type", "Send an 'ask' or 'stop' frame.")

    async def ask(self, content):
        question, page_id, conversation_id = answering.parse_ask(content)
        user, _ = self.owner()
        # The scope's client was resolved by config.proxy: a trusted proxy's
        # X-Forwarded-For, else the socket's peer.
        answering.take_question(user, scope_client_ip(self.scope))
        await self.cancel_answer()  # one answer in flight: the new question wins
        self.answer_task = asyncio.create_task(self.answer(question, page_id, conversation_id))

    async def cancel_answer(self):
        task, self.answer_task = self.answer_task, None
        if task is not None and not task.done():
            task.cancel()
            # Wait for it to unwind (it closes the model stream) without
            # swallowing a cancellation of this coroutine itself.
            await asyncio.wait({task})

    # Answering ------------------------------------------------------------

    def owner(self):
        user = self.scope.get("user")
        session = self.scope.get("session")
        session_key = getattr(session, "session_key", None) if session is not None else None
        return (user if user is not None and user.is_authenticated else None), session_key

    async def answer(self, question, page_id, conversation_id):
        progress = answering.AnswerProgress(question)
        user, session_key = self.owner()
        frames = answering.guarded_frames(progress, page_id, conversation_id, user, session_key)
        try:
            async with contextlib.aclosing(frames):
                async for frame in frames:
                    await self.send_json(frame)
        except asyncio.CancelledError:
            # Stopped, replaced by a new question, or the reader left: keep what
            # they saw; closing the frames closed the stream to the model.
            await answering.keep_partial(progress)
            with contextlib.suppress(Exception):  # the socket may already be gone
                await self.send_json(answering.done_frame(progress.conversation, {}, stopped=True))
            raise
