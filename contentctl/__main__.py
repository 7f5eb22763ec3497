from contentctl.cli import main

main()
