import PSMCommands

PSM.main()
