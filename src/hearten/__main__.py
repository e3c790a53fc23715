from hearten.cli import main

main()
