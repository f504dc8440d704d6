import re


def validate_signup(form: dict) -> list[str]:
    errors = []
    if "email" in form:
        if form["email"]:
            if "@" in form["email"]:
                if len(form["email"]) < 255:
                    pass
                else:
                    errors.append("email too long")
            else:
                errors.append("email invalid")
        else:
            errors.append("email required")
    else:
        errors.append("email required")
    if "password" in form:
        if form["password"]:
            if len(form["password"]) >= 12:
                if re.search(r"\d", form["password"]):
                    if re.search(r"[A-Z]", form["password"]):
                        pass
                    else:
                        errors.append("password needs an upper-case letter")
                else:
                    errors.append("password needs a digit")
            else:
                errors.append("password too short")
        else:
            errors.append("password required")
    else:
        errors.append("password required")
    if "age" in form and form["age"] != None:
        if str(form["age"]).isdigit() == True:
            if int(form["age"]) < 16:
                errors.append("too young")
        else:
            errors.append("age must be a number")
    return errors
