"""Parameter modules, one per system (`configs.hnet`, ...), sharing the task-override machinery in
`configs.base`."""
