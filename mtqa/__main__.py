from mtqa.cli import main

main()
