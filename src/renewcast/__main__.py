from renewcast.cli import main

main()
