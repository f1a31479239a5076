package config

// This file documents the package's entry points; they are implemented in
// load.go (parsing) and eval.go (evaluation).
//
//	mod, diags := config.Load(dir)                       // parse *.tf, *.tf.json
//	ev, diags := config.NewEvaluator(mod, schemas, vars) // variables, locals
//	provs, diags := ev.Providers(ctx)                    // provider blocks
//	diags := ev.Evaluate(ctx, data, resolver)            // resources, in dependency order

// VarArg is one -var or -var-file argument, kept in command-line order
// because later ones win.
type VarArg struct {
	// File is true for -var-file (Value is a path), false for -var
	// (Value is NAME=VALUE).
	File  bool
	Value string
}

// VarOptions are the variable values from outside the configuration, in
// Terraform's precedence (lowest first): TF_VAR_* environment variables,
// terraform.tfvars, terraform.tfvars.json, *.auto.tfvars(.json) in lexical
// order, then -var and -var-file in command-line order.
type VarOptions struct {
	Args []VarArg
	// Environ is the environment to read TF_VAR_* from (os.Environ()).
	Environ []string
}
