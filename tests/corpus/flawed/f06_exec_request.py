def run_snippet(request):
    code = request.form["code"]
    exec(code)
    return "ok"
