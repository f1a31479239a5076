d = "auto-a"
e = "auto-a"
