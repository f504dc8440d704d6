def parse_all(lines):
    out = []
    for line in lines:
        try:
            out.append(int(line))
        except:
            continue
    return out
