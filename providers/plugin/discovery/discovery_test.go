package discovery

import (
	"archive/zip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const awsSource = "registry.terraform.io/hashicorp/aws"

// writePkg makes an unpacked package of TYPE under base
// (base/HOST/NS/TYPE/VERSION/PLATFORM/) with a small file as the binary,
// and returns its directory.
func writePkg(t *testing.T, base, source, version, platform string) string {
	t.Helper()
	src, err := ParseSource(source)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, src.Host, src.Namespace, src.Type, version, platform)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "terraform-provider-"+src.Type+"_v"+version+"_x5")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n# "+source+" "+version+" "+platform+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "LICENSE.txt"), []byte("license\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// writeZip makes a packed package under base, as a filesystem mirror
// holds it, and returns the .zip's path.
func writeZip(t *testing.T, base, source, version, platform string) string {
	t.Helper()
	src, err := ParseSource(source)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, src.Host, src.Namespace, src.Type)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "terraform-provider-"+src.Type+"_"+version+"_"+platform+".zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, content := range map[string]string{
		"terraform-provider-" + src.Type + "_v" + version + "_x5": "#!/bin/sh\n# packed " + version + "\n",
		"LICENSE.txt": "license\n",
	} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeLock(t *testing.T, root, content string) string {
	t.Helper()
	path := filepath.Join(root, LockFileName)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func lockBlock(source, version string, hashes ...string) string {
	var b strings.Builder
	b.WriteString("provider \"" + source + "\" {\n  version = \"" + version + "\"\n  hashes = [\n")
	for _, h := range hashes {
		b.WriteString("    \"" + h + "\",\n")
	}
	b.WriteString("  ]\n}\n")
	return b.String()
}

func mustHash(t *testing.T, dir string) string {
	t.Helper()
	h, err := HashDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// env is one test's directories: the root module, a --plugin-dir, the
// plugin cache and the unpack directory.
type env struct {
	root, pluginDir, cache, unpack string
}

func (e env) providers() string { return filepath.Join(e.root, ".terraform", "providers") }

func TestFind(t *testing.T) {
	const linux = "linux_amd64"
	tests := []struct {
		name  string
		setup func(t *testing.T, e env) []Requirement
		// want: the version and the directory the package is in (a
		// function of the env), HashChecked.
		wantVersion string
		wantDir     func(e env) string
		wantChecked bool
		wantNote    string
		// wantErr: the substrings of the error; errAs its type.
		wantErr []string
		errAs   any
	}{
		{
			name: "no lock file: the newest version meeting the constraint, unchecked",
			setup: func(t *testing.T, e env) []Requirement {
				for _, v := range []string{"4.67.0", "5.1.0", "5.100.0", "6.0.0"} {
					writePkg(t, e.providers(), awsSource, v, linux)
				}
				return []Requirement{{LocalName: "aws", Source: "hashicorp/aws", VersionConstraint: "~> 5.0"}}
			},
			wantVersion: "5.100.0",
			wantDir:     func(e env) string { return filepath.Join(e.providers(), awsSource, "5.100.0", linux) },
			wantNote:    "not checked: there is no .terraform.lock.hcl in",
		},
		{
			name: "the bare type is registry.terraform.io/hashicorp/TYPE; no constraint is any version",
			setup: func(t *testing.T, e env) []Requirement {
				writePkg(t, e.providers(), awsSource, "5.1.0", linux)
				writePkg(t, e.providers(), awsSource, "5.2.0", linux)
				return []Requirement{{LocalName: "aws", Source: "aws"}}
			},
			wantVersion: "5.2.0",
			wantDir:     func(e env) string { return filepath.Join(e.providers(), awsSource, "5.2.0", linux) },
		},
		{
			name: "the lock file's version wins over a newer one, and its h1: hash is checked",
			setup: func(t *testing.T, e env) []Requirement {
				old := writePkg(t, e.providers(), awsSource, "5.1.0", linux)
				writePkg(t, e.providers(), awsSource, "5.100.0", linux)
				writeLock(t, e.root, lockBlock(awsSource, "5.1.0", mustHash(t, old),
					"zh:0000000000000000000000000000000000000000000000000000000000000000"))
				return []Requirement{{LocalName: "aws", Source: awsSource, VersionConstraint: "~> 5.0"}}
			},
			wantVersion: "5.1.0",
			wantDir:     func(e env) string { return filepath.Join(e.providers(), awsSource, "5.1.0", linux) },
			wantChecked: true,
		},
		{
			name: "a package that changed since the lock file recorded it",
			setup: func(t *testing.T, e env) []Requirement {
				dir := writePkg(t, e.providers(), awsSource, "5.1.0", linux)
				writeLock(t, e.root, lockBlock(awsSource, "5.1.0", mustHash(t, dir)))
				os.WriteFile(filepath.Join(dir, "terraform-provider-aws_v5.1.0_x5"), []byte("tampered"), 0o755)
				return []Requirement{{LocalName: "aws", Source: awsSource}}
			},
			wantErr: []string{"provider registry.terraform.io/hashicorp/aws 5.1.0 at", "does not match the hashes in", LockFileName,
				"(it has h1:", "run `terraform init` in", "`terraform providers lock`"},
			errAs: new(*HashMismatchError),
		},
		{
			name: "a lock file with only zh: hashes cannot vouch for an unpacked package",
			setup: func(t *testing.T, e env) []Requirement {
				writePkg(t, e.providers(), awsSource, "5.1.0", linux)
				writeLock(t, e.root, lockBlock(awsSource, "5.1.0", "zh:054b8dd49f0549c9a7cc27d159e45327b7b65cf404da5e5a20da154b90b8a644"))
				return []Requirement{{LocalName: "aws", Source: awsSource}}
			},
			wantErr: []string{"only zh: hashes", "this package is unpacked"},
			errAs:   new(*HashMismatchError),
		},
		{
			name: "a lock file without hashes selects the version; nothing to check",
			setup: func(t *testing.T, e env) []Requirement {
				writePkg(t, e.providers(), awsSource, "5.1.0", linux)
				writePkg(t, e.providers(), awsSource, "5.2.0", linux)
				writeLock(t, e.root, "provider \""+awsSource+"\" {\n  version = \"5.1.0\"\n  constraints = \"~> 5.0\"\n}\n")
				return []Requirement{{LocalName: "aws", Source: awsSource}}
			},
			wantVersion: "5.1.0",
			wantDir:     func(e env) string { return filepath.Join(e.providers(), awsSource, "5.1.0", linux) },
			wantNote:    "the lock file records no hashes",
		},
		{
			name: "not installed anywhere",
			setup: func(t *testing.T, e env) []Requirement {
				return []Requirement{{LocalName: "aws", Source: awsSource, VersionConstraint: "~> 5.0"}}
			},
			wantErr: []string{"provider registry.terraform.io/hashicorp/aws ~> 5.0 is not installed for linux_amd64: run `terraform init` in",
				"or give its directory with --plugin-dir", "looked in", ".terraform/providers", "no version of it is installed"},
			errAs: new(*NotInstalledError),
		},
		{
			name: "installed versions do not meet the constraint: they are listed",
			setup: func(t *testing.T, e env) []Requirement {
				writePkg(t, e.providers(), awsSource, "4.67.0", linux)
				writePkg(t, e.cache, awsSource, "3.76.1", linux)
				return []Requirement{{LocalName: "aws", Source: awsSource, VersionConstraint: ">= 5.0"}}
			},
			wantErr: []string{">= 5.0 is not installed", "terraform init -upgrade", "installed: 4.67.0 (", "3.76.1 ("},
			errAs:   new(*NotInstalledError),
		},
		{
			name: "only another platform is installed",
			setup: func(t *testing.T, e env) []Requirement {
				writePkg(t, e.providers(), awsSource, "5.1.0", "darwin_arm64")
				return []Requirement{{LocalName: "aws", Source: awsSource}}
			},
			wantErr: []string{"is not installed for linux_amd64", "5.1.0 for darwin_arm64"},
			errAs:   new(*NotInstalledError),
		},
		{
			name: "the locked version is not installed",
			setup: func(t *testing.T, e env) []Requirement {
				writePkg(t, e.providers(), awsSource, "5.2.0", linux)
				writeLock(t, e.root, lockBlock(awsSource, "5.1.0"))
				return []Requirement{{LocalName: "aws", Source: awsSource}}
			},
			wantErr: []string{"aws 5.1.0 (selected by", LockFileName + ") is not installed", "installed: 5.2.0"},
			errAs:   new(*NotInstalledError),
		},
		{
			name: "the lock file has no entry for a required provider",
			setup: func(t *testing.T, e env) []Requirement {
				writePkg(t, e.providers(), "hashicorp/null", "3.2.4", linux)
				writeLock(t, e.root, lockBlock(awsSource, "5.1.0"))
				return []Requirement{{LocalName: "null", Source: "hashicorp/null"}}
			},
			wantErr: []string{"provider registry.terraform.io/hashicorp/null: the dependency lock file selects no version of it", "run `terraform init` in"},
			errAs:   new(*LockError),
		},
		{
			name: "the locked version no longer meets the constraint",
			setup: func(t *testing.T, e env) []Requirement {
				writePkg(t, e.providers(), awsSource, "5.1.0", linux)
				writeLock(t, e.root, lockBlock(awsSource, "5.1.0"))
				return []Requirement{{LocalName: "aws", Source: awsSource, VersionConstraint: "~> 6.0"}}
			},
			wantErr: []string{"the locked version 5.1.0 does not meet the constraint \"~> 6.0\"", "run `terraform init -upgrade` in"},
			errAs:   new(*LockError),
		},
		{
			name: "--plugin-dir is searched first",
			setup: func(t *testing.T, e env) []Requirement {
				writePkg(t, e.providers(), awsSource, "5.1.0", linux)
				writePkg(t, e.pluginDir, awsSource, "5.1.0", linux)
				return []Requirement{{LocalName: "aws", Source: awsSource}}
			},
			wantVersion: "5.1.0",
			wantDir:     func(e env) string { return filepath.Join(e.pluginDir, awsSource, "5.1.0", linux) },
		},
		{
			name: "TF_PLUGIN_CACHE_DIR, and .terraform/providers linked into it as terraform init does",
			setup: func(t *testing.T, e env) []Requirement {
				cached := writePkg(t, e.cache, awsSource, "5.1.0", linux)
				writePkg(t, e.cache, awsSource, "5.3.0", linux)
				link := filepath.Join(e.providers(), awsSource, "5.1.0", linux)
				os.MkdirAll(filepath.Dir(link), 0o755)
				if err := os.Symlink(cached, link); err != nil {
					t.Fatal(err)
				}
				writeLock(t, e.root, lockBlock(awsSource, "5.1.0", mustHash(t, cached)))
				return []Requirement{{LocalName: "aws", Source: awsSource}}
			},
			wantVersion: "5.1.0",
			wantDir:     func(e env) string { return filepath.Join(e.providers(), awsSource, "5.1.0", linux) },
			wantChecked: true,
		},
		{
			name: "a packed package in a --plugin-dir: zh: checked, unpacked, run from the unpack directory",
			setup: func(t *testing.T, e env) []Requirement {
				zipPath := writeZip(t, e.pluginDir, awsSource, "5.1.0", linux)
				_, zh, err := HashZip(zipPath)
				if err != nil {
					t.Fatal(err)
				}
				writeLock(t, e.root, lockBlock(awsSource, "5.1.0", zh))
				return []Requirement{{LocalName: "aws", Source: awsSource}}
			},
			wantVersion: "5.1.0",
			wantDir:     func(e env) string { return filepath.Join(e.unpack, awsSource, "5.1.0", linux) },
			wantChecked: true,
		},
		{
			name: "a packed package with a zh: hash that does not match",
			setup: func(t *testing.T, e env) []Requirement {
				writeZip(t, e.pluginDir, awsSource, "5.1.0", linux)
				writeLock(t, e.root, lockBlock(awsSource, "5.1.0", "zh:0000000000000000000000000000000000000000000000000000000000000000"))
				return []Requirement{{LocalName: "aws", Source: awsSource}}
			},
			wantErr: []string{".zip does not match the hashes in", "(it has h1:", ", zh:"},
			errAs:   new(*HashMismatchError),
		},
		{
			name: "requirements of one source from two modules must both be met",
			setup: func(t *testing.T, e env) []Requirement {
				for _, v := range []string{"5.1.0", "5.50.0", "5.100.0"} {
					writePkg(t, e.providers(), awsSource, v, linux)
				}
				return []Requirement{
					{LocalName: "aws", Source: "hashicorp/aws", VersionConstraint: ">= 5.0"},
					{LocalName: "amazon", Source: awsSource, VersionConstraint: "< 5.60"},
				}
			},
			wantVersion: "5.50.0",
			wantDir:     func(e env) string { return filepath.Join(e.providers(), awsSource, "5.50.0", linux) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base := t.TempDir()
			e := env{
				root:      filepath.Join(base, "root"),
				pluginDir: filepath.Join(base, "plugins"),
				cache:     filepath.Join(base, "cache"),
				unpack:    filepath.Join(base, "unpack"),
			}
			os.MkdirAll(e.root, 0o755)
			reqs := tt.setup(t, e)
			results, err := Find(e.root, reqs, Options{
				PluginDirs: []string{e.pluginDir},
				Environ:    []string{"TF_PLUGIN_CACHE_DIR=" + e.cache},
				OS:         "linux", Arch: "amd64",
				UnpackDir: e.unpack,
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(results) != 1 {
				t.Fatalf("got %d results, want 1: %+v", len(results), results)
			}
			r := results[0]
			if tt.wantErr != nil {
				if r.Err == nil {
					t.Fatalf("found %+v, want an error", r.Provider)
				}
				t.Log(r.Err)
				for _, s := range tt.wantErr {
					if !strings.Contains(r.Err.Error(), s) {
						t.Errorf("error lacks %q:\n%v", s, r.Err)
					}
				}
				if tt.errAs != nil && !errors.As(r.Err, tt.errAs) {
					t.Errorf("error is %T, want %T", r.Err, tt.errAs)
				}
				return
			}
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			p := r.Provider
			if p.Version != tt.wantVersion || p.Dir != tt.wantDir(e) || p.HashChecked != tt.wantChecked {
				t.Errorf("got version %s in %s (checked %v), want %s in %s (checked %v)",
					p.Version, p.Dir, p.HashChecked, tt.wantVersion, tt.wantDir(e), tt.wantChecked)
			}
			if !strings.Contains(p.HashNote, tt.wantNote) || p.HashChecked != (p.HashNote == "") {
				t.Errorf("HashNote = %q, want it to say %q (checked %v)", p.HashNote, tt.wantNote, p.HashChecked)
			}
			if p.Source.String() != awsSource {
				t.Errorf("Source = %s", p.Source)
			}
			wantExe := filepath.Join(p.Dir, "terraform-provider-aws_v"+p.Version+"_x5")
			if p.Path != wantExe {
				t.Errorf("Path = %s, want %s", p.Path, wantExe)
			}
			if fi, err := os.Stat(p.Path); err != nil || fi.Mode()&0o100 == 0 {
				t.Errorf("the executable %s: %v %v", p.Path, fi, err)
			}
		})
	}
}

// TestFindPackedTwice: a packed package is unpacked once; a second Find
// reuses the unpacked directory, and one whose files were changed is
// unpacked again.
func TestFindPackedTwice(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	root, plugins, unpackDir := filepath.Join(base, "root"), filepath.Join(base, "plugins"), filepath.Join(base, "unpack")
	os.MkdirAll(root, 0o755)
	zipPath := writeZip(t, plugins, awsSource, "5.1.0", "linux_amd64")
	h1, _, err := HashZip(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	writeLock(t, root, lockBlock(awsSource, "5.1.0", h1))
	find := func() *Provider {
		t.Helper()
		results, err := Find(root, []Requirement{{Source: "aws"}}, Options{
			PluginDirs: []string{plugins}, Environ: []string{}, OS: "linux", Arch: "amd64", UnpackDir: unpackDir,
		})
		if err != nil || results[0].Err != nil {
			t.Fatalf("%+v, %v", results, err)
		}
		return results[0].Provider
	}
	p := find()
	if !p.HashChecked || p.Packed != zipPath || mustHash(t, p.Dir) != h1 {
		t.Fatalf("first: %+v", p)
	}
	os.WriteFile(p.Path, []byte("changed"), 0o755)
	p = find()
	if got := mustHash(t, p.Dir); got != h1 {
		t.Errorf("after a change the unpacked package hashes %s, want %s", got, h1)
	}
}

// TestUnpackRefusesEscapingNames: an archive member named ../x is not
// written outside the package.
func TestUnpackRefusesEscapingNames(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	zipPath := filepath.Join(base, "p.zip")
	f, err := os.Create(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, _ := zw.Create("../escaped")
	w.Write([]byte("x"))
	zw.Close()
	f.Close()
	if _, err := unpack(zipPath, filepath.Join(base, "out", "pkg")); err == nil || !strings.Contains(err.Error(), "outside the package") {
		t.Errorf("unpack = %v, want a refusal", err)
	}
	if _, err := os.Stat(filepath.Join(base, "out", "escaped")); err == nil {
		t.Error("../escaped was written")
	}
}
