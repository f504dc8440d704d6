"""Django views and FastAPI routes: the request's fields and a route's parameters are input."""
import os
import subprocess

from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.html import escape
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

api = FastAPI()


def search(request):
    term = request.GET.get("q", "")
    with connection.cursor() as cursor:
        # ruleid: sql-injection
        cursor.execute("SELECT * FROM items WHERE name LIKE '%" + term + "%'")
        # ok: sql-injection
        cursor.execute("SELECT * FROM items WHERE name LIKE %s", ["%" + term + "%"])
    # ruleid: xss
    return HttpResponse("<p>Results for " + term + "</p>")


def greet(request):
    name = request.POST["name"]
    # ok: xss
    return HttpResponse("<p>Hello " + escape(name) + "</p>")


def leave(request):
    # ruleid: open-redirect
    return redirect(request.GET["next"])


@api.get("/convert")
def convert(filename: str):
    # ruleid: shell-injection
    subprocess.run("convert " + filename + " out.png", shell=True)
    # ok: shell-injection
    subprocess.run(["convert", filename, "out.png"])
    return {"ok": True}


@api.get("/page", response_class=HTMLResponse)
def page(title: str):
    # ruleid: xss
    return HTMLResponse("<h1>" + title + "</h1>")


@api.get("/files/{name}")
def read(name: str):
    # ruleid: path-traversal
    with open(os.path.join("/data", name)) as fh:
        return {"body": fh.read()}
