package discovery

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// LockFileName is the dependency lock file that terraform init writes
// beside the root module.
const LockFileName = ".terraform.lock.hcl"

// Lock is one provider block of a dependency lock file: the version that
// terraform init selected and the hashes of its packages.
type Lock struct {
	Source  Source
	Version *version.Version
	// Constraints is the constraint string recorded with the selection
	// ("" when there is none); informational only.
	Constraints string
	// Hashes are the recorded hashes: "h1:..." (a package's contents) and
	// "zh:..." (a .zip's SHA-256), and any scheme a newer Terraform adds.
	Hashes []string
	// DeclRange is where the block is, for errors.
	DeclRange hcl.Range
}

// LockFile is a parsed .terraform.lock.hcl.
type LockFile struct {
	// Path is the file read.
	Path      string
	Providers map[Source]*Lock
}

var (
	lockFileSchema = &hcl.BodySchema{
		Blocks: []hcl.BlockHeaderSchema{
			{Type: "provider", LabelNames: []string{"source"}},
			// Terraform reserves module blocks in the lock file and
			// ignores them.
			{Type: "module", LabelNames: []string{"path"}},
		},
	}
	lockProviderSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "version", Required: true},
			{Name: "constraints"},
			{Name: "hashes"},
		},
	}
)

// ReadLockFile reads the dependency lock file at path. A file that does
// not exist is (nil, nil): Terraform runs without one too.
func ReadLockFile(path string) (*LockFile, error) {
	src, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the dependency lock file: %w", err)
	}
	return ParseLockFile(path, src)
}

// ParseLockFile parses a dependency lock file's contents; path names it in
// errors. Errors are hcl.Diagnostics with the file's line and column.
func ParseLockFile(path string, src []byte) (*LockFile, error) {
	f, diags := hclparse.NewParser().ParseHCL(src, path)
	if diags.HasErrors() {
		return nil, lockError(path, diags)
	}
	content, diags := f.Body.Content(lockFileSchema)
	if diags.HasErrors() {
		return nil, lockError(path, diags)
	}
	lf := &LockFile{Path: path, Providers: map[Source]*Lock{}}
	for _, b := range content.Blocks {
		if b.Type != "provider" {
			continue
		}
		lock, diags := decodeLock(b)
		if diags.HasErrors() {
			return nil, lockError(path, diags)
		}
		if prev, ok := lf.Providers[lock.Source]; ok {
			return nil, lockError(path, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Duplicate provider lock",
				Detail:   fmt.Sprintf("Provider %s is locked twice; the first is at %s.", lock.Source, prev.DeclRange),
				Subject:  b.DefRange.Ptr(),
			}})
		}
		lf.Providers[lock.Source] = lock
	}
	return lf, nil
}

func decodeLock(b *hcl.Block) (*Lock, hcl.Diagnostics) {
	bad := func(summary, detail string, r hcl.Range) (*Lock, hcl.Diagnostics) {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: r.Ptr()}}
	}
	src, err := ParseSource(b.Labels[0])
	if err != nil {
		return bad("Invalid provider source address", err.Error(), b.LabelRanges[0])
	}
	// Terraform writes the full address; a short one would be ambiguous
	// with the configuration's shorthand.
	if src.String() != b.Labels[0] {
		return bad("Non-normalized provider source address",
			fmt.Sprintf("The provider source address for a provider lock must be written in normal form: %q.", src), b.LabelRanges[0])
	}
	content, diags := b.Body.Content(lockProviderSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	lock := &Lock{Source: src, DeclRange: b.DefRange}

	attr := content.Attributes["version"]
	s, diags := stringAttr(attr)
	if diags.HasErrors() {
		return nil, diags
	}
	if lock.Version, err = version.NewVersion(s); err != nil {
		return bad("Invalid provider version", fmt.Sprintf("%q is not a version: %s.", s, err), attr.Expr.Range())
	}
	if attr, ok := content.Attributes["constraints"]; ok {
		if lock.Constraints, diags = stringAttr(attr); diags.HasErrors() {
			return nil, diags
		}
	}
	if attr, ok := content.Attributes["hashes"]; ok {
		v, diags := attr.Expr.Value(nil)
		if diags.HasErrors() {
			return nil, diags
		}
		v, err := convert.Convert(v, cty.List(cty.String))
		if err != nil || v.IsNull() || !v.IsWhollyKnown() {
			return bad("Invalid provider hashes", "The hashes must be a list of strings.", attr.Expr.Range())
		}
		for _, h := range v.AsValueSlice() {
			if h.IsNull() {
				return bad("Invalid provider hashes", "The hashes must be a list of strings.", attr.Expr.Range())
			}
			lock.Hashes = append(lock.Hashes, h.AsString())
		}
	}
	return lock, nil
}

// stringAttr evaluates a lock file attribute, which holds a literal string.
func stringAttr(attr *hcl.Attribute) (string, hcl.Diagnostics) {
	v, diags := attr.Expr.Value(nil)
	if diags.HasErrors() {
		return "", diags
	}
	v, err := convert.Convert(v, cty.String)
	if err != nil || v.IsNull() || !v.IsKnown() {
		return "", hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid " + attr.Name,
			Detail:   fmt.Sprintf("The %s must be a string.", attr.Name),
			Subject:  attr.Expr.Range().Ptr(),
		}}
	}
	return v.AsString(), nil
}

// lockError names the file and what to run: the lock file is terraform
// init's, and it rewrites a broken one.
func lockError(path string, diags hcl.Diagnostics) error {
	return fmt.Errorf("reading the dependency lock file %s (run `terraform init` to rewrite it): %w", path, diags)
}
