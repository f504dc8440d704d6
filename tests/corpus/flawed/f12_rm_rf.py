import os


def clean(workdir):
    os.system(f"rm -rf {workdir}/*")
