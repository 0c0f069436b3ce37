from coursepack.cli import main

main()
