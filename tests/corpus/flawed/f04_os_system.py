import os


def compress(filename):
    os.system("gzip " + filename)
