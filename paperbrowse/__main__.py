from paperbrowse.cli import main

raise SystemExit(main())
