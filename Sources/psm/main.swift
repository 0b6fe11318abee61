import PSMCommands

await PSM.main()
