import asyncio
import logging

from aiohttp import web

log = logging.getLogger(__name__)
BACKGROUND = web.AppKey("background", set)


async def send_welcome_email(mailer, user: dict) -> None:
    await mailer.send(to=user["email"], template="welcome", context=user)


def _report(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("welcome email failed", exc_info=task.exception())


async def register(request: web.Request) -> web.Response:
    """Create the account and answer at once; the welcome email goes out in the background."""
    data = await request.json()
    user = await request.app["users"].create(email=data["email"], name=data["name"])
    task = asyncio.create_task(send_welcome_email(request.app["mailer"], user))
    tasks = request.app[BACKGROUND]
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    task.add_done_callback(_report)
    return web.json_response({"id": user["id"]}, status=201)
