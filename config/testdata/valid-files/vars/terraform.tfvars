b = "tfvars"
c = "tfvars"
nul = null
