// Package discovery finds the provider binaries that a configuration
// requires, as Terraform would: in the directories terraform init fills
// (.terraform/providers, the plugin cache) and those given with
// --plugin-dir, in the version the dependency lock file selects (or the
// newest that meets the constraints when there is no lock file), checked
// against the lock file's hashes.
//
// Layouts (Terraform's, see "Provider Plugin Cache" and "filesystem_mirror"
// in its CLI configuration documentation):
//
//	DIR/HOST/NAMESPACE/TYPE/VERSION/OS_ARCH/terraform-provider-TYPE_vVERSION[_x5]   unpacked
//	DIR/HOST/NAMESPACE/TYPE/terraform-provider-TYPE_VERSION_OS_ARCH.zip            packed
//
// .terraform/providers and the plugin cache hold unpacked packages;
// a --plugin-dir may hold either, as a Terraform filesystem mirror does.
// A packed package is checked (h1: and zh:) and then unpacked into
// Options.UnpackDir, since a binary cannot run from inside its .zip.
//
// Not read: the CLI configuration file (.terraformrc: plugin_cache_dir,
// provider_installation, dev_overrides) and the implied local mirror
// directories, which Terraform consults only when installing.
package discovery

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/hashicorp/go-version"
)

// Requirement is one provider that a module requires (required_providers,
// or implied by a resource type).
type Requirement struct {
	// LocalName is the module's name for the provider ("aws"); for
	// messages only.
	LocalName string
	// Source is the source address: "registry.terraform.io/hashicorp/aws",
	// "hashicorp/aws" or the legacy "aws".
	Source string
	// VersionConstraint is Terraform's constraint syntax ("~> 5.0",
	// ">= 4, < 6"); "" accepts any version.
	VersionConstraint string
}

// Options are where to look besides .terraform/providers, and for which
// platform.
type Options struct {
	// PluginDirs are searched first, in order (--plugin-dir).
	PluginDirs []string
	// Environ is the environment, "KEY=value" strings: TF_PLUGIN_CACHE_DIR
	// adds the plugin cache and TF_DATA_DIR moves .terraform, as in
	// Terraform. nil means os.Environ().
	Environ []string
	// OS and Arch are the platform (runtime.GOOS and runtime.GOARCH when
	// empty).
	OS, Arch string
	// UnpackDir is where packed (.zip) packages are unpacked; "" is
	// driftctl/providers under the user's cache directory.
	UnpackDir string
}

// Provider is a provider package found and checked.
type Provider struct {
	Source Source
	// Version is the package's version (5.100.0).
	Version string
	// Path is the executable to start.
	Path string
	// Dir is the unpacked package directory holding Path.
	Dir string
	// Packed is the .zip that Dir was unpacked from, "" for a package
	// found unpacked.
	Packed string
	// HashChecked is true when the package matched a hash of the lock
	// file; HashNote says why not otherwise.
	HashChecked bool
	HashNote    string
	// LockFile is the lock file that selected the version, "" when there
	// is none.
	LockFile string
}

// Result is what Find found for one provider source: a Provider, or the
// error that makes this provider (and only it) unusable.
type Result struct {
	Source Source
	// LocalNames are the requirements' local names for this source.
	LocalNames []string
	// Constraint is every requirement's constraint joined ("" for any).
	Constraint string
	Provider   *Provider
	// Err is a *NotInstalledError, *LockError, *HashMismatchError or an
	// I/O error, naming the provider and what to run.
	Err error
}

// Find looks up every required provider for the root module in rootDir
// (which holds .terraform and .terraform.lock.hcl). It returns one Result
// per distinct source, in the order first required; requirements of the
// same source (a root module's and a child module's) must all be met, as
// in Terraform. The error is for what concerns every provider: an invalid
// source address or constraint, or a lock file that cannot be read.
func Find(rootDir string, reqs []Requirement, opts Options) ([]Result, error) {
	env := opts.Environ
	if env == nil {
		env = os.Environ()
	}
	platform := orDefault(opts.OS, runtime.GOOS) + "_" + orDefault(opts.Arch, runtime.GOARCH)
	unpackDir := opts.UnpackDir
	if unpackDir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		unpackDir = filepath.Join(cache, "driftctl", "providers")
	}

	var results []Result
	var constraints []version.Constraints
	index := map[Source]int{}
	for _, req := range reqs {
		src, err := ParseSource(req.Source)
		if err != nil {
			return nil, fmt.Errorf("provider %q: %w", req.LocalName, err)
		}
		i, ok := index[src]
		if !ok {
			i = len(results)
			index[src] = i
			results = append(results, Result{Source: src})
			constraints = append(constraints, nil)
		}
		r := &results[i]
		if req.LocalName != "" && !slices.Contains(r.LocalNames, req.LocalName) {
			r.LocalNames = append(r.LocalNames, req.LocalName)
		}
		if c := strings.TrimSpace(req.VersionConstraint); c != "" {
			parsed, err := version.NewConstraint(c)
			if err != nil {
				return nil, fmt.Errorf("provider %s: invalid version constraint %q: %w", src, c, err)
			}
			constraints[i] = append(constraints[i], parsed...)
			if r.Constraint != "" {
				r.Constraint += ", "
			}
			r.Constraint += c
		}
	}

	lockPath := filepath.Join(rootDir, LockFileName)
	lock, err := ReadLockFile(lockPath)
	if err != nil {
		return nil, err
	}
	s := &search{
		root:      rootDir,
		dirs:      searchDirs(rootDir, opts.PluginDirs, env),
		platform:  platform,
		lock:      lock,
		unpackDir: unpackDir,
	}
	for i := range results {
		r := &results[i]
		r.Provider, r.Err = s.find(r.Source, r.Constraint, constraints[i])
	}
	return results, nil
}

// searchDirs lists the directories to search, in order, without repeats:
// the plugin dirs, .terraform/providers (under TF_DATA_DIR when set,
// relative to the root module as Terraform takes it from the working
// directory) and TF_PLUGIN_CACHE_DIR.
func searchDirs(root string, pluginDirs, env []string) []string {
	dataDir := filepath.Join(root, ".terraform")
	if d := getenv(env, "TF_DATA_DIR"); d != "" {
		if !filepath.IsAbs(d) {
			d = filepath.Join(root, d)
		}
		dataDir = d
	}
	dirs := append(slices.Clone(pluginDirs), filepath.Join(dataDir, "providers"))
	if d := getenv(env, "TF_PLUGIN_CACHE_DIR"); d != "" {
		dirs = append(dirs, d)
	}
	var out []string
	for _, d := range dirs {
		d = filepath.Clean(d)
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// getenv returns the last value of key in env, as os.Getenv does.
func getenv(env []string, key string) string {
	v := ""
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == key {
			v = val
		}
	}
	return v
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// search is one Find's settings.
type search struct {
	root      string
	dirs      []string
	platform  string
	lock      *LockFile
	unpackDir string
}

// pkg is one package found in a search directory.
type pkg struct {
	version  *version.Version
	platform string
	dir      string // the unpacked package directory ("" for a .zip)
	zip      string // the packed package ("" for a directory)
}

func (p *pkg) location() string {
	if p.zip != "" {
		return p.zip
	}
	return p.dir
}

func (s *search) find(src Source, constraint string, cons version.Constraints) (*Provider, error) {
	if src.builtin() {
		return nil, fmt.Errorf("provider %s is built into Terraform and has no plugin binary", src)
	}
	var all []*pkg
	for _, d := range s.dirs {
		found, err := packages(d, src)
		if err != nil {
			return nil, fmt.Errorf("provider %s: searching %s: %w", src, d, err)
		}
		all = append(all, found...)
	}
	var here []*pkg
	for _, p := range all {
		if p.platform == s.platform {
			here = append(here, p)
		}
	}
	notInstalled := &NotInstalledError{
		Source: src, Constraint: constraint, Root: s.root, Platform: s.platform,
		Searched: s.dirs, Installed: installed(all),
	}

	var chosen *pkg
	var lock *Lock
	if s.lock != nil {
		lock = s.lock.Providers[src]
		if lock == nil {
			return nil, &LockError{Source: src, LockFile: s.lock.Path, Root: s.root,
				Problem: "the dependency lock file selects no version of it", Fix: "terraform init"}
		}
		if !cons.Check(lock.Version) {
			return nil, &LockError{Source: src, LockFile: s.lock.Path, Root: s.root,
				Problem: fmt.Sprintf("the locked version %s does not meet the constraint %q", lock.Version.Original(), constraint),
				Fix:     "terraform init -upgrade"}
		}
		notInstalled.Locked, notInstalled.LockFile = lock.Version.Original(), s.lock.Path
		for _, p := range here {
			if p.version.Equal(lock.Version) {
				chosen = p
				break
			}
		}
	} else {
		for _, p := range here {
			if cons.Check(p.version) && (chosen == nil || p.version.GreaterThan(chosen.version)) {
				chosen = p
			}
		}
	}
	if chosen == nil {
		return nil, notInstalled
	}

	prov := &Provider{Source: src, Version: chosen.version.String()}
	switch {
	case lock == nil:
		prov.HashNote = fmt.Sprintf("not checked: there is no %s in %s", LockFileName, s.root)
	case len(lock.Hashes) == 0:
		prov.LockFile = s.lock.Path
		prov.HashNote = "not checked: the lock file records no hashes for it"
	default:
		prov.LockFile = s.lock.Path
		got, matched, checkable, err := checkHashes(chosen, lock.Hashes)
		if err != nil {
			return nil, fmt.Errorf("provider %s: %w", src, err)
		}
		if !matched {
			return nil, &HashMismatchError{Source: src, Version: prov.Version, Location: chosen.location(),
				LockFile: s.lock.Path, Root: s.root, Got: got, Want: lock.Hashes, Uncheckable: !checkable}
		}
		prov.HashChecked = true
	}

	dir := chosen.dir
	if chosen.zip != "" {
		prov.Packed = chosen.zip
		var err error
		if dir, err = unpack(chosen.zip, filepath.Join(s.unpackDir, src.Host, src.Namespace, src.Type, prov.Version, s.platform)); err != nil {
			return nil, fmt.Errorf("provider %s: unpacking %s: %w", src, chosen.zip, err)
		}
	}
	prov.Dir = dir
	exe, err := executable(dir, src.Type, s.platform)
	if err != nil {
		return nil, fmt.Errorf("provider %s %s: %w", src, prov.Version, err)
	}
	prov.Path = exe
	return prov, nil
}

// packages lists the packages of src under the search directory dir, of
// every platform; a directory that does not exist has none.
func packages(dir string, src Source) ([]*pkg, error) {
	typeDir := filepath.Join(dir, src.Host, src.Namespace, src.Type)
	entries, err := os.ReadDir(typeDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	zipPrefix := "terraform-provider-" + src.Type + "_"
	var out []*pkg
	for _, e := range entries {
		name := e.Name()
		if rest, ok := strings.CutPrefix(name, zipPrefix); ok && strings.HasSuffix(rest, ".zip") {
			// terraform-provider-TYPE_VERSION_OS_ARCH.zip: the version
			// has no underscore, OS and ARCH have none either.
			parts := strings.Split(strings.TrimSuffix(rest, ".zip"), "_")
			if len(parts) != 3 {
				continue
			}
			v, err := version.NewVersion(parts[0])
			if err != nil {
				continue
			}
			out = append(out, &pkg{version: v, platform: parts[1] + "_" + parts[2], zip: filepath.Join(typeDir, name)})
			continue
		}
		v, err := version.NewVersion(name)
		if err != nil {
			continue // not a version directory (Terraform ignores these too)
		}
		verDir := filepath.Join(typeDir, name)
		if !isDir(verDir) {
			continue
		}
		plats, err := os.ReadDir(verDir)
		if err != nil {
			return nil, err
		}
		for _, p := range plats {
			pdir := filepath.Join(verDir, p.Name())
			// OS_ARCH is often a symlink into the plugin cache.
			if strings.Count(p.Name(), "_") == 1 && isDir(pdir) {
				out = append(out, &pkg{version: v, platform: p.Name(), dir: pdir})
			}
		}
	}
	return out, nil
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// executable finds the provider's binary in its package directory:
// terraform-provider-TYPE, usually followed by _vVERSION and a protocol
// suffix (_x5), with .exe on Windows, as Terraform's provider cache takes
// it.
func executable(dir, typ, platform string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	prefix := "terraform-provider-" + typ
	windows := strings.HasPrefix(platform, "windows_")
	for _, e := range entries {
		name := e.Name()
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok || rest != "" && rest[0] != '_' && rest != ".exe" {
			continue
		}
		if windows != strings.HasSuffix(name, ".exe") {
			continue
		}
		path := filepath.Join(dir, name)
		fi, err := os.Stat(path)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if !windows && fi.Mode()&0o111 == 0 {
			return "", fmt.Errorf("%s is not executable (chmod +x it, or run `terraform init` again)", path)
		}
		return path, nil
	}
	return "", fmt.Errorf("the package directory %s has no %s executable: run `terraform init` again to reinstall it", dir, prefix+"*")
}

// installed describes the packages found, for errors.
func installed(all []*pkg) []Installed {
	out := make([]Installed, 0, len(all))
	for _, p := range all {
		out = append(out, Installed{Version: p.version.String(), Platform: p.platform, Location: p.location()})
	}
	slices.SortStableFunc(out, func(a, b Installed) int {
		va, _ := version.NewVersion(a.Version)
		vb, _ := version.NewVersion(b.Version)
		return vb.Compare(va)
	})
	return out
}
