from .cli import run

# Guarded: the kernel template (multiprocessing's fork server) imports the main module.
if __name__ == "__main__":
    run()
