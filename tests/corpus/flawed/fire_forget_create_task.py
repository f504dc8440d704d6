import asyncio
import logging

from aiohttp import web

log = logging.getLogger(__name__)


async def send_welcome_email(mailer, user: dict) -> None:
    await mailer.send(to=user["email"], template="welcome", context=user)


async def register(request: web.Request) -> web.Response:
    """Create the account and answer at once; the welcome email goes out in the background."""
    data = await request.json()
    user = await request.app["users"].create(email=data["email"], name=data["name"])
    asyncio.create_task(send_welcome_email(request.app["mailer"], user))
    log.info("registered %s", user["id"])
    return web.json_response({"id": user["id"]}, status=201)


def make_app(users, mailer) -> web.Application:
    app = web.Application()
    app["users"] = users
    app["mailer"] = mailer
    app.router.add_post("/register", register)
    return app
