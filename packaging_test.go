package driftctl_test

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	yaml "go.yaml.in/yaml/v2"
)

// need returns the path of a program the test runs, skipping the test
// where it is missing (failing it in CI, where it must be there).
func need(t *testing.T, program, install string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found on PATH (CI=true): %s", program, install)
		}
		t.Skipf("%s not found on PATH; to run this test: %s", program, install)
	}
	return path
}

// skipShort skips a test that builds driftctl (a minute or more the first
// time on a small machine) under -short.
func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds driftctl; run without -short")
	}
}

// commandContext is exec.CommandContext under a deadline a little before
// the test's own (-timeout), so that a build too slow for it fails the
// test with its output instead of leaving it running.
func commandContext(t *testing.T, name string, args ...string) *exec.Cmd {
	t.Helper()
	ctx := t.Context()
	if deadline, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-30*time.Second))
		t.Cleanup(cancel)
	}
	return exec.CommandContext(ctx, name, args...)
}

// dockerBuild is the go build command of the Dockerfile's build stage,
// with its ARG values expanded: the environment assignments before go, and
// go's arguments.
type dockerBuild struct {
	env  []string
	args []string
}

// dockerfileBuild reads the Dockerfile's build stage and returns its go
// build command, the build arguments given (ARG defaults otherwise).
func dockerfileBuild(t *testing.T, text string, buildArgs map[string]string) dockerBuild {
	t.Helper()
	text = strings.ReplaceAll(text, "\\\n", " ")
	args := map[string]string{}
	stage := ""
	var run string
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		keyword, rest, _ := strings.Cut(line, " ")
		switch strings.ToUpper(keyword) {
		case "FROM":
			stage = ""
			if f := strings.Fields(rest); len(f) == 3 && strings.EqualFold(f[1], "AS") {
				stage = f[2]
			}
		case "ARG":
			name, value, _ := strings.Cut(rest, "=")
			args[name] = strings.Trim(value, `"`)
			if v, ok := buildArgs[name]; ok {
				args[name] = v
			}
		case "RUN":
			if stage == "build" && strings.Contains(rest, "go build") {
				run = os.Expand(rest, func(name string) string { return args[name] })
			}
		}
	}
	if run == "" {
		t.Fatal("Dockerfile: no RUN ... go build in a stage named build (FROM ... AS build)")
	}
	words := splitWords(run)
	var b dockerBuild
	for len(words) > 0 && strings.Contains(words[0], "=") {
		b.env, words = append(b.env, words[0]), words[1:]
	}
	if len(words) < 2 || words[0] != "go" || words[1] != "build" {
		t.Fatalf("Dockerfile: the build stage runs %q; want [NAME=VALUE...] go build ...", run)
	}
	b.args = words[1:]
	return b
}

// splitWords splits a shell command into words: double or single quotes
// group, and nothing else is interpreted.
func splitWords(s string) []string {
	var words []string
	var cur strings.Builder
	var quote rune
	inWord := false
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if inWord {
				words, inWord = append(words, cur.String()), false
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// checkStatic fails the test unless path is an ELF executable without an
// interpreter or dynamic section: it runs on an image without libc.
func checkStatic(t *testing.T, path string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("%s is not static: it has a %s program header", path, p.Type)
		}
	}
	if f.Section(".interp") != nil || f.Section(".dynamic") != nil {
		t.Errorf("%s is not static: it has an .interp or .dynamic section", path)
	}
}

// TestDockerfileBuildsAStaticBinary runs the go build command of the
// Dockerfile's build stage (no Docker engine is needed) and checks that the
// binary is static, carries the version given as a build argument, and
// that the image runs it as a non-root user.
func TestDockerfileBuildsAStaticBinary(t *testing.T) {
	skipShort(t)
	if runtime.GOOS != "linux" {
		t.Skip("checks an ELF binary: linux only")
	}
	text := readText(t, "Dockerfile")
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-X github.com/gitdrift/driftctl/internal/buildinfo.version=${VERSION}", "\nUSER nonroot", `ENTRYPOINT ["/usr/local/bin/driftctl"]`} {
		if !strings.Contains(text, want) {
			t.Errorf("Dockerfile: no %q", want)
		}
	}
	if !regexp.MustCompile(`(?m)^FROM (gcr\.io/distroless/static\S*:nonroot|scratch)$`).MatchString(text) {
		t.Error("Dockerfile: the image is not distroless/static:nonroot or scratch")
	}
	b := dockerfileBuild(t, text, map[string]string{"VERSION": "v9.9.9-docker", "COMMIT": "0123456789abcdef", "DATE": "2026-12-05T12:00:00Z"})
	bin := filepath.Join(t.TempDir(), "driftctl")
	for i, a := range b.args {
		if a == "-o" && i+1 < len(b.args) {
			b.args[i+1] = bin
		}
	}
	cmd := commandContext(t, "go", b.args...)
	cmd.Env = append(os.Environ(), b.env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(b.args, " "), err, out)
	}
	checkStatic(t, bin)
	out, err := exec.Command(bin, "--version").Output()
	if err != nil || string(out) != "driftctl v9.9.9-docker\n" {
		t.Errorf("driftctl --version: %q, %v; want \"driftctl v9.9.9-docker\"", out, err)
	}
	out, err = exec.Command(bin, "version", "-o", "json").Output()
	var info struct{ Commit, Date string }
	if err != nil || json.Unmarshal(out, &info) != nil || info.Commit != "0123456789abcdef" || info.Date != "2026-12-05T12:00:00Z" {
		t.Errorf("driftctl version -o json: %s (%v); want the COMMIT and DATE build arguments", out, err)
	}
}

// TestImageName: the image that the Kubernetes manifests run is the one
// the README, the Dockerfile and the Justfile build.
func TestImageName(t *testing.T) {
	t.Parallel()
	repo := func(ref string) string {
		ref, _, _ = strings.Cut(ref, "@")
		if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
			ref = ref[:i]
		}
		return ref
	}
	built := map[string]string{}
	tag := regexp.MustCompile(`docker build [^\n]*?-t (\S+)`)
	for _, f := range []string{"README.md", "Dockerfile", "Justfile"} {
		m := tag.FindStringSubmatch(strings.ReplaceAll(readText(t, f), "\\\n", " "))
		if m == nil {
			t.Errorf("%s: no docker build -t IMAGE", f)
			continue
		}
		built[f] = repo(m[1])
	}
	image := regexp.MustCompile(`(?m)^\s*(?:- )?image:\s*(\S+)`)
	manifests, _ := filepath.Glob("deploy/kubernetes/*.yaml")
	found := 0
	for _, f := range manifests {
		for _, m := range image.FindAllStringSubmatch(readText(t, f), -1) {
			if !strings.Contains(m[1], "driftctl") {
				continue
			}
			found++
			for file, name := range built {
				if repo(m[1]) != name {
					t.Errorf("%s runs %s; %s builds %s", f, m[1], file, name)
				}
			}
		}
	}
	if found == 0 {
		t.Error("no manifest in deploy/kubernetes runs a driftctl image")
	}
}

// TestReleaseArchives runs .ci/release for this machine's platform: the
// archive holds the binary, LICENSE and README, SHA256SUMS verifies, and
// the binary says the version git describe gives.
func TestReleaseArchives(t *testing.T) {
	skipShort(t)
	need(t, "git", "apt-get install git")
	need(t, "tar", "apt-get install tar")
	sha256sum := need(t, "sha256sum", "apt-get install coreutils")
	platform := runtime.GOOS + "/" + runtime.GOARCH
	switch platform {
	case "linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64":
	default:
		t.Skipf("releases are for linux and darwin on amd64 and arm64, not %s", platform)
	}
	describe, err := exec.Command("git", "describe", "--tags", "--always", "--dirty").Output()
	if err != nil {
		t.Skipf("not a Git checkout (git describe: %v); releases are made from one", err)
	}
	version := strings.TrimSpace(string(describe))
	dist := t.TempDir()

	// A platform it does not know: an error naming it, and nothing written.
	bad := exec.Command(".ci/release")
	bad.Env = append(os.Environ(), "RELEASE_PLATFORMS=windows/amd64", "RELEASE_DIR="+dist)
	if out, err := bad.CombinedOutput(); err == nil || !strings.Contains(string(out), "windows/amd64 is not one of") {
		t.Errorf("RELEASE_PLATFORMS=windows/amd64: %v, %s; want an error naming it", err, out)
	}
	if entries, _ := os.ReadDir(dist); len(entries) > 0 {
		t.Errorf("a failed release wrote %v", entries)
	}

	cmd := commandContext(t, ".ci/release")
	cmd.Env = append(os.Environ(), "RELEASE_PLATFORMS="+platform, "RELEASE_DIR="+dist)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf(".ci/release: %v\n%s", err, out)
	}
	name := "driftctl_" + version + "_" + strings.ReplaceAll(platform, "/", "_")
	archive := filepath.Join(dist, name+".tar.gz")
	sums := readText(t, filepath.Join(dist, "SHA256SUMS"))
	data, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if want := hex.EncodeToString(sum[:]) + "  " + name + ".tar.gz\n"; sums != want {
		t.Errorf("SHA256SUMS = %q, want %q", sums, want)
	}
	check := exec.Command(sha256sum, "-c", "SHA256SUMS")
	check.Dir = dist
	if out, err := check.CombinedOutput(); err != nil {
		t.Errorf("sha256sum -c SHA256SUMS: %v\n%s", err, out)
	}

	bin := filepath.Join(t.TempDir(), "driftctl")
	files := untar(t, archive, map[string]string{name + "/driftctl": bin})
	for _, want := range []string{name + "/driftctl", name + "/LICENSE", name + "/README.md"} {
		if _, ok := files[want]; !ok {
			t.Errorf("%s has no %s (it has %v)", filepath.Base(archive), want, files)
		}
	}
	if files[name+"/driftctl"]&0o111 == 0 {
		t.Errorf("%s/driftctl is not executable: %v", name, files[name+"/driftctl"])
	}
	if runtime.GOOS == "linux" {
		checkStatic(t, bin)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil || string(out) != "driftctl "+version+"\n" {
		t.Errorf("driftctl --version from the archive: %q, %v; want \"driftctl %s\"", out, err, version)
	}
}

// untar lists the regular files of a tar.gz archive with their modes, and
// writes those named in extract to the paths given.
func untar(t *testing.T, archive string, extract map[string]string) map[string]os.FileMode {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		t.Fatalf("%s: %v", archive, err)
	}
	tr := tar.NewReader(gz)
	files := map[string]os.FileMode{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", archive, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		files[h.Name] = h.FileInfo().Mode()
		if dst, ok := extract[h.Name]; ok {
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, data, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	return files
}

// TestCIRunsTheREADMETestCommand: .ci/run and `just test` run exactly the
// test command the README gives first.
func TestCIRunsTheREADMETestCommand(t *testing.T) {
	t.Parallel()
	goTest := regexp.MustCompile(`(?m)^\s*(go test [^#\n]*?)\s*(?:#.*)?$`)
	readme := readText(t, "README.md")
	_, block, _ := strings.Cut(readme, "```sh\n")
	block, _, _ = strings.Cut(block, "```")
	m := goTest.FindStringSubmatch(block)
	if m == nil {
		t.Fatal("README.md: the first sh block has no go test command")
	}
	want := m[1]
	if !strings.Contains(want, "-timeout ") {
		t.Errorf("README.md: %q has no -timeout (go test's default, 10m, is too short on a 2-core machine)", want)
	}
	for _, f := range []string{".ci/run", "Justfile"} {
		var got []string
		for _, m := range goTest.FindAllStringSubmatch(readText(t, f), -1) {
			if !strings.Contains(m[1], "-race") && !strings.Contains(m[1], "-bench") {
				got = append(got, m[1])
			}
		}
		if len(got) != 1 || got[0] != want {
			t.Errorf("%s runs %q; want the README's %q", f, got, want)
		}
	}
}

// TestLicense: the repository is under the Apache License 2.0, and the
// README says so.
func TestLicense(t *testing.T) {
	t.Parallel()
	license := readText(t, "LICENSE")
	for _, want := range []string{"Apache License\n                           Version 2.0, January 2004", "END OF TERMS AND CONDITIONS"} {
		if !strings.Contains(license, want) {
			t.Errorf("LICENSE: no %q", want)
		}
	}
	if !strings.Contains(readText(t, "README.md"), "Apache License 2.0") {
		t.Error("README.md does not name the licence (Apache License 2.0)")
	}
}

func readText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestGoReleaserMatchesRelease: .goreleaser.yaml builds the platforms
// .ci/release builds, with the Dockerfile's flags, into archives named and
// checksummed as .ci/release names them.
func TestGoReleaserMatchesRelease(t *testing.T) {
	t.Parallel()
	var cfg struct {
		Builds []struct {
			Env, Flags, Ldflags, Goos, Goarch []string
		}
		Archives []struct {
			Formats         []string
			NameTemplate    string `yaml:"name_template"`
			WrapInDirectory bool   `yaml:"wrap_in_directory"`
			Files           []string
		}
		Checksum struct {
			NameTemplate string `yaml:"name_template"`
		}
	}
	if err := yaml.Unmarshal([]byte(readText(t, ".goreleaser.yaml")), &cfg); err != nil {
		t.Fatalf(".goreleaser.yaml: %v", err)
	}
	if len(cfg.Builds) != 1 || len(cfg.Archives) != 1 {
		t.Fatalf(".goreleaser.yaml: %d builds and %d archives; want one of each", len(cfg.Builds), len(cfg.Archives))
	}
	b, a := cfg.Builds[0], cfg.Archives[0]
	var platforms []string
	for _, goos := range b.Goos {
		for _, arch := range b.Goarch {
			platforms = append(platforms, goos+"/"+arch)
		}
	}
	release := readText(t, ".ci/release")
	if want := "${RELEASE_PLATFORMS:-" + strings.Join(platforms, " ") + "}"; !strings.Contains(release, want) {
		t.Errorf(".goreleaser.yaml builds %v; .ci/release has no %q", platforms, want)
	}
	docker := readText(t, "Dockerfile")
	for _, f := range append(b.Env, b.Flags...) {
		if !strings.Contains(docker, f) || !strings.Contains(release, f) {
			t.Errorf(".goreleaser.yaml builds with %s; the Dockerfile or .ci/release does not", f)
		}
	}
	for _, x := range []string{"-s -w", "-X github.com/gitdrift/driftctl/internal/buildinfo.version=", "-X main.commit=", "-X main.date="} {
		if len(b.Ldflags) != 1 || !strings.Contains(b.Ldflags[0], x) || !strings.Contains(release, x) {
			t.Errorf("ldflags %v: want %q, as .ci/release has it", b.Ldflags, x)
		}
	}
	if !slices.Equal(a.Formats, []string{"tar.gz"}) || a.NameTemplate != "driftctl_{{ .Tag }}_{{ .Os }}_{{ .Arch }}" || !a.WrapInDirectory ||
		!slices.Equal(a.Files, []string{"LICENSE", "README.md"}) || cfg.Checksum.NameTemplate != "SHA256SUMS" {
		t.Errorf(".goreleaser.yaml archives %+v, checksum %+v; want .ci/release's: driftctl_VERSION_OS_ARCH.tar.gz holding a directory of that name with LICENSE and README.md, and SHA256SUMS", a, cfg.Checksum)
	}
}
