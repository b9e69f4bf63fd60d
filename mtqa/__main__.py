from mtqa.cli import entry

if __name__ == "__main__":  # worker processes (--jobs) import this module again
    entry()
